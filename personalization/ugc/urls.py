from django.urls import path

from personalization.ugc import api

app_name = "ugc"

urlpatterns = [
    path("api/v1/ugc/gallery", api.gallery, name="gallery"),
    path("api/v1/ugc/highlights", api.highlights, name="highlights"),
    path("api/v1/ugc/uploads", api.upload, name="upload"),
    path("api/v1/ugc/removal-requests", api.removal_request, name="removal-request"),
    path("ugc-media/<path:name>", api.media_file, name="media"),
]
