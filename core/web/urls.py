from django.urls import path

from core.web.views import auth, egress, invitations, members, organizations, profile, projects, system, tokens, usage

app_name = "web"
urlpatterns = [
    path("", organizations.organization_list, name="organizations"),
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    path("profile/", profile.profile, name="profile"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.revoke_token, name="revoke_token"),
    path("system/", system.system, name="system"),
    path("system/egress/", egress.egress_ledger, name="egress_ledger"),
    path("invitations/<str:token>/", invitations.accept_invitation, name="accept_invitation"),
    path("o/<slug:slug>/", organizations.organization_detail, name="organization"),
    path("o/<slug:slug>/settings/", organizations.organization_settings, name="organization_settings"),
    path("o/<slug:slug>/settings/usage/", usage.usage, name="organization_usage"),
    path("o/<slug:slug>/settings/usage.csv", usage.usage_csv, name="organization_usage_csv"),
    path("o/<slug:slug>/members/", members.members, name="members"),
    path("o/<slug:slug>/members/<int:membership_id>/role/", members.change_role, name="member_role"),
    path("o/<slug:slug>/members/<int:membership_id>/remove/", members.remove_member, name="member_remove"),
    path("o/<slug:slug>/invitations/<int:invitation_id>/revoke/", members.revoke_invitation,
         name="invitation_revoke"),
    path("o/<slug:slug>/p/<slug:project_slug>/", projects.project_detail, name="project"),
]
