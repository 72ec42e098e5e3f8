"""Portal pages, mounted at /portal/training/ (namespace "training_portal")."""

from django.urls import path

from . import portal_views as views

app_name = "training_portal"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.course, name="course"),
    path("<int:pk>/quiz/", views.quiz, name="quiz"),
    path("materials/<int:pk>/", views.material, name="material"),
    path("sessions/<int:pk>/register/", views.session_register, name="register"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("record/", views.record, name="record"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
