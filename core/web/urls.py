from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from core.web.views import auth, organizations, system, tokens

app_name = "web"
urlpatterns = [
    path("", organizations.organization_list, name="organizations"),
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    path("password/change/", auth_views.PasswordChangeView.as_view(
        template_name="anneal/form_page.html", success_url=reverse_lazy("web:organizations"),
        extra_context={"title": "Change password"}), name="password_change"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="anneal/form_page.html", success_url=reverse_lazy("web:password_reset_done"),
        email_template_name="anneal/password_reset_email.txt",
        extra_context={"title": "Reset your password"}), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="anneal/message.html",
        extra_context={"title": "Check your email", "message": "If the address has an account, a reset link is on its way."}),
        name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="anneal/form_page.html", success_url=reverse_lazy("web:sign_in"),
        extra_context={"title": "Choose a new password"}), name="password_reset_confirm"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("system/", system.system, name="system"),
    path("invitations/<str:token>/", organizations.accept_invitation, name="accept_invitation"),
    path("o/<slug:slug>/", organizations.organization_detail, name="organization"),
    path("o/<slug:slug>/members/", organizations.members, name="members"),
    path("o/<slug:slug>/settings/", organizations.organization_settings, name="organization_settings"),
    path("o/<slug:slug>/p/<slug:project_slug>/", organizations.project_detail, name="project"),
]
