from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dms.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("favicon.ico", core_views.favicon),
    path("healthz/", core_views.healthz, name="healthz"),
    path("readyz/", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("dms.accounts.urls")),
    path("backoffice/", include("dms.core.backoffice_urls")),
    path("backoffice/distributors/", include("dms.distributors.urls")),
    path("backoffice/audit/", include("dms.audit.urls")),
    path("backoffice/catalog/", include("dms.catalog.urls")),
    path("backoffice/inventory/", include("dms.inventory.urls")),
    path("backoffice/orders/", include("dms.orders.urls")),
    path("backoffice/logistics/", include("dms.logistics.urls")),
    path("notifications/", include("dms.notifications.urls")),
    path("portal/", include("dms.portal.urls")),
    *(path(f"backoffice/{app}/", include(f"dms.{app}.urls")) for app in settings.DMS_FEATURE_APPS),
    *(path(f"portal/{app}/", include(f"dms.{app}.portal_urls")) for app in settings.DMS_FEATURE_APPS),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = admin.site.site_title = "DMS"
