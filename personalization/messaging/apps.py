from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "personalization.messaging"
    label = "messaging"
    verbose_name = "Messaging: behavioural email"
