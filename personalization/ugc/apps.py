from django.apps import AppConfig


class UgcConfig(AppConfig):
    name = "personalization.ugc"
    label = "ugc"
    verbose_name = "User-generated content: reviews, customer photos, moderation"

    def ready(self) -> None:
        # UGC joins the customer export and erasure through the privacy registry.
        from personalization.privacy import registry
        from personalization.ugc import privacy

        registry.register(
            "ugc",
            export=privacy.customer_ugc_export,
            erase=privacy.customer_ugc_erase,
            shop_erase=privacy.shop_ugc_erase,
        )
