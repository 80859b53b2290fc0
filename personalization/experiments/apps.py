from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "personalization.experiments"
    label = "experiments"
    verbose_name = "Experiments, the always-on holdout and the idea backlog"
