from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "personalization.recommendations"
    label = "recommendations"
    verbose_name = "Recommendation models: training, versions, serving"

    def ready(self) -> None:
        # The personal model rows join customer export and erasure through the privacy registry.
        from personalization.privacy import registry
        from personalization.recommendations import privacy

        registry.register(
            "recommendations",
            export=privacy.customer_models_export,
            erase=privacy.customer_models_erase,
        )
