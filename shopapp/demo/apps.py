from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shopapp.demo"
    label = "demo"
    verbose_name = "Demo store (UCI Online Retail) and reference storefront"
