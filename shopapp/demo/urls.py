from django.urls import path

from shopapp.demo import views

app_name = "demo"

urlpatterns = [
    path("", views.home, name="home"),
]
