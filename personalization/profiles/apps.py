from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "personalization.profiles"
    label = "profiles"
    verbose_name = "360° shopper profiles"
