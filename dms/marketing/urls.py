"""Back-office pages, mounted at /backoffice/marketing/."""

from django.urls import path

from . import views

app_name = "marketing"
urlpatterns = [
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/analysis/", views.analysis, name="analysis"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/triage/", views.feedback_triage, name="feedback_triage"),
    path("feedback/<int:pk>/respond/", views.feedback_respond, name="feedback_respond"),
    path("feedback/<int:pk>/close/", views.feedback_close, name="feedback_close"),
    path("feedback/attachments/<int:pk>/", views.feedback_attachment, name="feedback_attachment"),
    path("materials/", views.material_list, name="materials"),
    path("materials/new/", views.material_create, name="material_create"),
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("materials/<int:pk>/edit/", views.material_edit, name="material_edit"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path("materials/<int:pk>/file/", views.material_file, name="material_file"),
]
