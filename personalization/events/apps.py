from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "personalization.events"
    label = "events"
    verbose_name = "Storefront events, visitors and sessions"
