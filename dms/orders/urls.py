from django.urls import path

from . import views, views_returns

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("export/", views.order_export, name="export"),
    path("queue/", views.order_queue, name="queue"),
    path("queue/approve/", views.order_bulk_approve, name="bulk_approve"),
    path("new/", views.order_create, name="create"),
    path("products/", views.product_search, name="products"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/events/", views.order_events, name="events"),
    path("<int:pk>/edit/", views.order_edit, name="edit"),
    path("<int:pk>/copy/", views.order_copy, name="copy"),
    path("<int:pk>/submit/", views.order_submit, name="submit"),
    path("<int:pk>/approve/", views.order_approve, name="approve"),
    path("<int:pk>/reject/", views.order_reject, name="reject"),
    path("<int:pk>/cancel/", views.order_cancel, name="cancel"),
    path("returns/", views_returns.return_list, name="returns"),
    path("returns/export/", views_returns.return_export, name="returns_export"),
    path("returns/<int:pk>/", views_returns.return_detail, name="return_detail"),
    path("returns/<int:pk>/decide/", views_returns.return_decide, name="return_decide"),
    path("returns/<int:pk>/receive/", views_returns.return_receive, name="return_receive"),
]
