"""Portal pages, mounted at /portal/service/ (namespace "service_portal")."""

from django.urls import path

from . import portal_views as views

app_name = "service_portal"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_create, name="create"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/messages/", views.ticket_messages, name="messages"),
    path("<int:pk>/status/", views.ticket_status, name="status"),
    path("<int:pk>/rate/", views.ticket_rate, name="rate"),
    path("<int:pk>/files/<int:file_pk>/", views.ticket_file, name="file"),
]
