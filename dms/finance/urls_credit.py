"""Finance URL patterns of the credit part (merged by urls.py and portal_urls.py)."""

from django.urls import path

from . import views_credit

urlpatterns = [
    path("credit-holds/", views_credit.credit_holds, name="credit_holds"),
    path("credit-holds/<int:pk>/release/", views_credit.release_hold, name="release_hold"),
    path("credit-holds/<int:pk>/reject/", views_credit.reject_hold, name="reject_hold"),
    path("credit/<int:pk>/", views_credit.distributor_credit, name="credit"),
    path("credit/<int:pk>/update/", views_credit.distributor_credit_update, name="credit_update"),
]
portal_urlpatterns = []
