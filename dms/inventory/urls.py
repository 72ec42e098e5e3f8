from django.urls import path

from . import views_documents as docs
from . import views_setup as setup
from . import views_stock as stock

app_name = "inventory"
urlpatterns = [
    path("", stock.stock, name="stock"),
    path("export/", stock.stock_export, name="stock_export"),
    path("moves/", stock.moves, name="moves"),
    path("moves/export/", stock.moves_export, name="moves_export"),
    path("alerts/", stock.alerts, name="alerts"),
    path("suggestions/", stock.suggestions, name="suggestions"),
    path("suggestions/export/", stock.suggestions_export, name="suggestions_export"),
    path("suggestions/<int:pk>/close/", stock.suggestion_close, name="suggestion_close"),
    path("documents/", docs.documents, name="documents"),
    path("documents/<int:pk>/", docs.document_detail, name="document_detail"),
    path("receipts/new/", docs.receipt_create, name="receipt_create"),
    path("counts/new/", docs.count_create, name="count_create"),
    path("transfers/new/", docs.transfer_create, name="transfer_create"),
    path("adjust/", docs.adjust, name="adjust"),
    path("products/options/", docs.product_options, name="product_options"),
    path("rules/", setup.rule_list, name="reorder_rules"),
    path("rules/new/", setup.rule_create, name="reorder_rule_create"),
    path("rules/<int:pk>/edit/", setup.rule_edit, name="reorder_rule_edit"),
    path("rules/<int:pk>/active/", setup.rule_active, name="reorder_rule_active"),
    path("warehouses/", setup.warehouse_list, name="warehouses"),
    path("warehouses/new/", setup.warehouse_create, name="warehouse_create"),
    path("warehouses/<int:pk>/edit/", setup.warehouse_edit, name="warehouse_edit"),
    path("warehouses/<int:pk>/active/", setup.warehouse_active, name="warehouse_active"),
]
