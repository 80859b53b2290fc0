from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "personalization.privacy"
    label = "privacy"
    verbose_name = "Privacy: export, erasure, audit"
