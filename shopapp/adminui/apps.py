from django.apps import AppConfig


class AdminUIConfig(AppConfig):
    name = "shopapp.adminui"
    label = "adminui"
    verbose_name = "Embedded admin pages"
