"""Portal pages, mounted at /portal/comms/ (namespace "comms_portal")."""

from django.urls import path

from . import views_portal as views

app_name = "comms_portal"
urlpatterns = [
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
    path("announcements/files/<int:pk>/", views.announcement_file, name="announcement_file"),
    path("messages/", views.threads, name="threads"),
    path("messages/new/", views.thread_create, name="thread_create"),
    path("messages/<int:pk>/", views.thread_detail, name="thread"),
    path("messages/<int:pk>/new/", views.thread_messages, name="thread_messages"),
    path("messages/<int:pk>/post/", views.thread_post, name="thread_post"),
    path("messages/<int:pk>/status/", views.thread_status, name="thread_status"),
    path("messages/files/<int:pk>/", views.message_file, name="message_file"),
]
