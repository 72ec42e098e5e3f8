"""Portal pages, mounted at /portal/marketing/ (namespace "marketing_portal")."""

from django.urls import path

from . import portal_views as views

app_name = "marketing_portal"
urlpatterns = [
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_create, name="feedback_create"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/attachments/<int:pk>/", views.feedback_attachment, name="feedback_attachment"),
    path("materials/", views.materials, name="materials"),
    path("materials/<int:pk>/download/", views.material_download, name="material_download"),
    path("materials/<int:pk>/preview/", views.material_preview, name="material_preview"),
]
