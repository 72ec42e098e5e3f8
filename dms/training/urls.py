"""Back-office pages, mounted at /backoffice/training/."""

from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_form, name="create"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/edit/", views.course_form, name="edit"),
    path("<int:pk>/status/", views.course_status, name="status"),
    path("<int:pk>/materials/", views.material_add, name="material_add"),
    path("<int:pk>/sessions/", views.session_add, name="session_add"),
    path("<int:pk>/questions/", views.question_add, name="question_add"),
    path("<int:pk>/mandates/", views.mandate_add, name="mandate_add"),
    path("materials/<int:pk>/", views.material_file, name="material"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path("questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("mandates/<int:pk>/delete/", views.mandate_delete, name="mandate_delete"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("records/", views.record_list, name="records"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("report/", views.report, name="report"),
]
