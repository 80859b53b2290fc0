from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "shopapp.shops"
    label = "shops"
    verbose_name = "Shops (tenants)"
