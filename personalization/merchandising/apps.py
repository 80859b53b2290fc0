from django.apps import AppConfig


class MerchandisingConfig(AppConfig):
    name = "personalization.merchandising"
    label = "merchandising"
    verbose_name = "Search and navigation merchandising"
