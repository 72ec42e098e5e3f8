"""The /api/v1/ router: every app adds its routes here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
urlpatterns = [*router.urls]
