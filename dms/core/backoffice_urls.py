from django.urls import path

from . import backoffice

app_name = "backoffice"
urlpatterns = [
    path("", backoffice.dashboard, name="dashboard"),
    path("regions/", backoffice.region_children, name="regions"),
]
