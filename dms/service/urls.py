"""Back-office pages, mounted at /backoffice/service/."""

from django.urls import path

from . import views

app_name = "service"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("mine/", views.my_tickets, name="mine"),
    path("new/", views.ticket_create, name="create"),
    path("sla/", views.sla_report, name="sla_report"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/messages/", views.ticket_messages, name="messages"),
    path("<int:pk>/assign/", views.ticket_assign, name="assign"),
    path("<int:pk>/status/", views.ticket_status, name="status"),
    path("<int:pk>/files/<int:file_pk>/", views.ticket_file, name="file"),
]
