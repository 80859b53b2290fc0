from django.urls import path

from shopapp.adminui import views

app_name = "adminui"

urlpatterns = [
    path("", views.home, name="home"),
]
