from django.urls import path

from personalization.decisions import api

app_name = "decisions"

urlpatterns = [path("decide", api.decide, name="decide")]
