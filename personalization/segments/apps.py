from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "personalization.segments"
    label = "segments"
    verbose_name = "Segments: rules, clusters, sizes"
