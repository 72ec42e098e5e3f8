"""Back-office pages, mounted at /backoffice/comms/."""

from django.urls import path

from . import views

app_name = "comms"
urlpatterns = [
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/new/", views.announcement_create, name="announcement_create"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
    path("announcements/<int:pk>/edit/", views.announcement_edit, name="announcement_edit"),
    path("announcements/<int:pk>/publish/", views.announcement_publish, name="announcement_publish"),
    path("announcements/<int:pk>/archive/", views.announcement_archive, name="announcement_archive"),
    path("announcements/files/<int:pk>/", views.announcement_file, name="announcement_file"),
    path("threads/", views.thread_list, name="threads"),
    path("threads/new/", views.thread_create, name="thread_create"),
    path("threads/<int:pk>/", views.thread_detail, name="thread"),
    path("threads/<int:pk>/messages/", views.thread_messages, name="thread_messages"),
    path("threads/<int:pk>/post/", views.thread_post, name="thread_post"),
    path("threads/<int:pk>/status/", views.thread_status, name="thread_status"),
    path("threads/files/<int:pk>/", views.message_file, name="message_file"),
]
