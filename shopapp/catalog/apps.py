from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shopapp.catalog"
    label = "catalog"
    verbose_name = "Store mirror (catalog, customers, orders, menus)"
