"""The /api/v1/ router: every app adds its routes here.

Routes below a distributor (``distributors/{distributor_pk}/...``) are registered with a
regex prefix; their viewsets look the parent up through the scoped manager first, so a
distributor outside the caller's scope is a 404 on every one of them
(``tests/test_api_isolation.py`` walks these patterns).
"""

from importlib import import_module

from django.conf import settings
from django.urls import path
from rest_framework.routers import DefaultRouter

from dms.accounts import api as accounts_api
from dms.catalog import api as catalog_api
from dms.distributors import api as distributors_api
from dms.inventory import api as inventory_api
from dms.logistics import api as logistics_api
from dms.notifications import api as notifications_api
from dms.orders import api as orders_api

app_name = "api_v1"

DISTRIBUTOR = r"distributors/(?P<distributor_pk>\d+)"



class Router(DefaultRouter):
    include_format_suffixes = False  # no ".json" twins of every route


router = Router(trailing_slash=True)
router.register("distributors", distributors_api.DistributorViewSet, basename="distributor")
router.register(f"{DISTRIBUTOR}/qualifications", distributors_api.QualificationViewSet,
                basename="distributor-qualification")
router.register(f"{DISTRIBUTOR}/contracts", distributors_api.ContractViewSet, basename="distributor-contract")
router.register(f"{DISTRIBUTOR}/users", distributors_api.PortalUserViewSet, basename="distributor-user")
router.register("reviews", distributors_api.ReviewViewSet, basename="review")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("orders", orders_api.OrderViewSet, basename="order")
router.register("returns", orders_api.ReturnViewSet, basename="return")
router.register("products", catalog_api.ProductViewSet, basename="product")
router.register("price-lists", catalog_api.PriceListViewSet, basename="price-list")
router.register("warehouses", inventory_api.WarehouseViewSet, basename="warehouse")
router.register("stock/moves", inventory_api.StockMoveViewSet, basename="stock-move")
router.register("stock/adjustments", inventory_api.StockAdjustmentViewSet, basename="stock-adjustment")
router.register("stock", inventory_api.StockViewSet, basename="stock")
router.register("shipments", logistics_api.ShipmentViewSet, basename="shipment")
router.register("carriers", logistics_api.CarrierViewSet, basename="carrier")

feature_patterns = []
for _app in settings.DMS_FEATURE_APPS:
    feature_patterns += import_module(f"dms.{_app}.api").register(router)

urlpatterns = [
    *feature_patterns,
    path("auth/token/", accounts_api.TokenApi.as_view(), name="auth-token"),
    path("auth/logout/", accounts_api.LogoutApi.as_view(), name="auth-logout"),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("shipments/<int:pk>/delivery-note.pdf", logistics_api.ShipmentViewSet.as_view({"get": "delivery_note"}),
         name="shipment-delivery-note"),
    *router.urls,
]
