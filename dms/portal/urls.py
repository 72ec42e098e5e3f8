from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("profile/", views.profile, name="profile"),
    path("profile/contacts/<int:pk>/", views.contact_edit, name="contact_edit"),
    path("qualifications/", views.qualifications, name="qualifications"),
    path("qualifications/new/", views.qualification_upload, name="qualification_upload"),
    path("qualifications/<int:pk>/file/", views.qualification_file, name="qualification_file"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/file/", views.contract_file, name="contract_file"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/active/", views.user_toggle, name="user_toggle"),
]
