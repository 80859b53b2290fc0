from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "personalization.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns: overlays, caps, coupons"
