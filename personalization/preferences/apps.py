from django.apps import AppConfig


class PreferencesConfig(AppConfig):
    name = "personalization.preferences"
    label = "preferences"
    verbose_name = "Product-finder quiz and stated preferences"
