"""Back-office pages, mounted at /backoffice/crm/."""

from django.urls import path

from . import views

app_name = "crm"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("customers/", views.customer_list, name="list"),
    path("customers/<int:pk>/", views.customer_detail, name="detail"),
]
