from django.urls import path

from shopapp.demo import views

app_name = "demo"

urlpatterns = [
    path("", views.home, name="home"),
    path("collections/", views.collection_index, name="collections"),
    path("collections/<slug:handle>/", views.collection_detail, name="collection"),
    path("products/<slug:handle>/", views.product_detail, name="product"),
    path("search/", views.search, name="search"),
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart-add"),
    path("cart/update/", views.cart_update, name="cart-update"),
    path("cart/remove/", views.cart_remove, name="cart-remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("order/thanks/", views.order_thanks, name="order-thanks"),
    path("account/", views.account, name="account"),
    path("placeholder/<slug:handle>.svg", views.product_placeholder, name="placeholder"),
    path(
        "placeholder/collections/<slug:handle>.svg",
        views.collection_placeholder,
        name="collection-placeholder",
    ),
]
