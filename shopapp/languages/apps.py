from django.apps import AppConfig


class LanguagesConfig(AppConfig):
    name = "shopapp.languages"
    label = "languages"
    verbose_name = "Languages"
