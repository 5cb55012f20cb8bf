from django.urls import path

from bench.minimal.app import ProjectList

urlpatterns = [path("api/v1/organizations/<slug:slug>/projects/", ProjectList.as_view())]
