"""Portal pages, mounted at /portal/crm/ (namespace "crm_portal")."""

from django.urls import path

from . import views_portal as v

app_name = "crm_portal"
urlpatterns = [
    path("", v.customer_list, name="list"),
    path("new/", v.customer_create, name="create"),
    path("import/", v.customer_import, name="import"),
    path("segments/", v.segments, name="segments"),
    path("<int:pk>/", v.customer_detail, name="detail"),
    path("<int:pk>/edit/", v.customer_edit, name="edit"),
    path("<int:pk>/follow-ups/", v.follow_up_add, name="follow_up_add"),
    path("<int:pk>/needs/", v.need_add, name="need_add"),
    path("needs/<int:pk>/status/", v.need_status, name="need_status"),
]
