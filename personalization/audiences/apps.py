from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    name = "personalization.audiences"
    label = "audiences"
    verbose_name = "Off-site audiences and product feeds"
