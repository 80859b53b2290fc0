from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "personalization.recommendations"
    label = "recommendations"
    verbose_name = "Recommendation models: training, versions, serving"
