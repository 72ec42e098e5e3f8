from django.urls import path

from . import views as v

app_name = "catalog"
urlpatterns = [
    path("", v.product_list, name="products"),
    path("export/", v.product_export, name="product_export"),
    path("new/", v.product_create, name="product_create"),
    path("import/", v.product_import, name="product_import"),
    path("<int:pk>/", v.product_detail, name="product_detail"),
    path("<int:pk>/edit/", v.product_edit, name="product_edit"),
    path("<int:pk>/status/", v.product_status, name="product_status"),
    path("<int:pk>/image/", v.product_image, name="product_image"),
    path("categories/", v.category_list, name="categories"),
    path("categories/<int:pk>/edit/", v.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", v.category_delete, name="category_delete"),
    path("price-lists/", v.price_list_list, name="price_lists"),
    path("price-lists/new/", v.price_list_create, name="price_list_create"),
    path("price-lists/check/", v.price_check, name="price_check"),
    path("price-lists/<int:pk>/", v.price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/edit/", v.price_list_edit, name="price_list_edit"),
    path("price-lists/<int:pk>/status/", v.price_list_status, name="price_list_status"),
    path("price-lists/<int:pk>/items/remove/", v.price_list_item_remove, name="price_list_item_remove"),
    path("price-lists/<int:pk>/export/", v.price_list_export, name="price_list_export"),
    path("price-lists/<int:pk>/import/", v.price_import, name="price_import"),
    path("promotions/", v.promotion_list, name="promotions"),
    path("promotions/new/", v.promotion_create, name="promotion_create"),
    path("promotions/<int:pk>/edit/", v.promotion_edit, name="promotion_edit"),
    path("promotions/<int:pk>/status/", v.promotion_status, name="promotion_status"),
]
