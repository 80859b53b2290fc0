from django.urls import path

from personalization.events import api

app_name = "events"

urlpatterns = [
    path("events", api.events_ingest, name="ingest"),
]
