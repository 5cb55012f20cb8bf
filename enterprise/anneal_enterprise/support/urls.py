from django.urls import path

from anneal_enterprise.support.views import access, bundles

urlpatterns = [
    path("support/bundles/", bundles.bundle_list, name="support-bundles"),
    path("support/bundles/<uuid:bundle_id>/", bundles.bundle_detail, name="support-bundle"),
    path("support/bundles/<uuid:bundle_id>/status/", bundles.bundle_status, name="support-bundle-status"),
    path("support/bundles/<uuid:bundle_id>/download/", bundles.bundle_download, name="support-bundle-download"),
    path("support/bundles/<uuid:bundle_id>/delete/", bundles.bundle_delete, name="support-bundle-delete"),
    path("support/o/<slug:slug>/access/", access.grants, name="support-access"),
    path("support/access/<str:token>/", access.redeem, name="support-redeem"),
]
