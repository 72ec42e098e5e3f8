from django.urls import path

from . import views, webhook

app_name = "logistics"
urlpatterns = [
    path("", views.shipment_list, name="list"),
    path("new/", views.shipment_create, name="create"),
    path("<int:pk>/", views.shipment_detail, name="detail"),
    path("<int:pk>/dispatch/", views.shipment_dispatch, name="dispatch"),
    path("<int:pk>/cancel/", views.shipment_cancel, name="cancel"),
    path("<int:pk>/tracking/", views.shipment_add_event, name="add_event"),
    path("<int:pk>/delivery-note.pdf", views.delivery_note, name="delivery_note"),
    path("<int:pk>/pick-list.pdf", views.pick_list, name="pick_list"),
    path("tracking/import/", views.tracking_import, name="tracking_import"),
    path("discrepancies/", views.discrepancy_list, name="discrepancies"),
    path("discrepancies/<int:pk>/resolve/", views.discrepancy_resolve, name="resolve"),
    path("webhook/<slug:code>/", webhook.carrier_webhook, name="webhook"),
]
