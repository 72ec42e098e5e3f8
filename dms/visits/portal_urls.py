"""Portal pages, mounted at /portal/visits/ (namespace "visits_portal")."""

from django.urls import path

from . import views_portal

app_name = "visits_portal"
urlpatterns = [
    path("", views_portal.visit_history, name="list"),
    path("<int:pk>/", views_portal.visit_detail, name="detail"),
    path("actions/<int:pk>/done/", views_portal.action_done, name="action_done"),
    path("photos/<int:pk>/", views_portal.photo, name="photo"),
]
