from django.urls import path

from personalization.messaging import views

app_name = "messaging"

urlpatterns = [
    path("unsubscribe/<str:token>", views.unsubscribe_view, name="unsubscribe"),
]
