from django.urls import path

from personalization.campaigns import api

app_name = "campaigns"

urlpatterns = [
    path("campaigns/offer", api.CampaignOfferAPI.as_view(), name="offer"),
    path("campaigns/interactions", api.CampaignInteractionAPI.as_view(), name="interactions"),
    path("campaigns/live", api.CampaignLiveAPI.as_view(), name="live"),
]
