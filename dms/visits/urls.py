"""Back-office pages, mounted at /backoffice/visits/."""

from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("calendar/", views.visit_calendar, name="calendar"),
    path("due/", views.due_list, name="due"),
    path("actions/", views.action_list, name="actions"),
    path("new/", views.visit_create, name="create"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/edit/", views.visit_edit, name="edit"),
    path("<int:pk>/complete/", views.visit_complete, name="complete"),
    path("<int:pk>/cancel/", views.visit_cancel, name="cancel"),
    path("<int:pk>/actions/", views.action_add, name="action_add"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
