"""Pages of the quarantine app, namespace "quarantine"."""

from django.urls import path

from phongdich.quarantine import views

app_name = "quarantine"
urlpatterns = [
    path("", views.index, name="index"),
]
