from django.urls import path

from shopapp.adminui import views

app_name = "adminui"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("partials/counts/", views.CountsPartialView.as_view(), name="counts"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
]
