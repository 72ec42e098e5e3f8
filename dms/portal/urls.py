from django.urls import path

from . import views, views_orders, views_shipments

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
    # ordering (views_orders.py) and deliveries and returns (views_shipments.py)
    path("catalogue/", views_orders.catalogue, name="catalogue"),
    path("catalogue/check-quantity/", views_orders.check_quantity, name="check_quantity"),
    path("cart/", views_orders.cart, name="cart"),
    path("cart/add/", views_orders.cart_add, name="cart_add"),
    path("orders/", views_orders.orders, name="orders"),
    path("orders/<int:pk>/", views_orders.order_detail, name="order"),
    path("orders/<int:pk>/events/", views_orders.order_events, name="order_events"),
    path("orders/<int:pk>/edit/", views_orders.order_edit, name="order_edit"),
    path("orders/<int:pk>/cancel/", views_orders.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/copy/", views_orders.order_copy, name="order_copy"),
    path("orders/<int:pk>/return/", views_shipments.return_create, name="return_create"),
    path("shipments/", views_shipments.shipments, name="shipments"),
    path("shipments/<int:pk>/", views_shipments.shipment_detail, name="shipment"),
    path("shipments/<int:pk>/confirm/", views_shipments.shipment_confirm, name="shipment_confirm"),
    path("shipments/<int:pk>/discrepancy/", views_shipments.shipment_discrepancy, name="shipment_discrepancy"),
    path("shipments/<int:pk>/delivery-note.pdf", views_shipments.delivery_note, name="delivery_note"),
    path("returns/", views_shipments.returns, name="returns"),
    path("returns/<int:pk>/cancel/", views_shipments.return_cancel, name="return_cancel"),
]
