from django.urls import path

from personalization.audiences import views

app_name = "audiences"

urlpatterns = [path("<str:token>.tsv", views.feed_download, name="feed")]
