from django.urls import path

from anneal_enterprise.audit import views

urlpatterns = [
    path("audit/integrity/", views.integrity, name="audit-integrity"),
    path("audit/instance/", views.instance_records, name="audit-instance"),
    path("audit/organizations/<slug:slug>/", views.records, name="audit-records"),
    path("audit/organizations/<slug:slug>/verify/", views.verify_organization, name="audit-verify"),
    path("audit/organizations/<slug:slug>/exports/", views.create_export, name="audit-export"),
    path("audit/organizations/<slug:slug>/exports/<int:export_id>/", views.export_status, name="audit-export-status"),
    path("audit/organizations/<slug:slug>/exports/<int:export_id>/download/", views.download_export, name="audit-export-download"),
    path("audit/organizations/<slug:slug>/destinations/", views.change_destinations, name="audit-destinations"),
    path("audit/organizations/<slug:slug>/retention/", views.change_retention, name="audit-retention"),
]
