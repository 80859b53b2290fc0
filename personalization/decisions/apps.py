from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "personalization.decisions"
    label = "decisions"
    verbose_name = "Decisions: what each shopper sees"
