from django.urls import path

from shopapp.catalog import api

app_name = "catalog"

urlpatterns = [
    path("storefront/products/", api.StorefrontProductList.as_view(), name="storefront-products"),
    path(
        "storefront/products/<int:pk>/",
        api.StorefrontProductDetail.as_view(),
        name="storefront-product",
    ),
    path(
        "storefront/collections/",
        api.StorefrontCollectionList.as_view(),
        name="storefront-collections",
    ),
    path(
        "storefront/collections/<int:pk>/",
        api.StorefrontCollectionDetail.as_view(),
        name="storefront-collection",
    ),
    path("admin/customers/", api.AdminCustomerList.as_view(), name="admin-customers"),
    path("admin/customers/<int:pk>/", api.AdminCustomerDetail.as_view(), name="admin-customer"),
    path("admin/orders/", api.AdminOrderList.as_view(), name="admin-orders"),
    path("admin/orders/<int:pk>/", api.AdminOrderDetail.as_view(), name="admin-order"),
]
