"""Pages of the checkpoints app, namespace "checkpoints"."""

from django.urls import path

from phongdich.checkpoints import views

app_name = "checkpoints"
urlpatterns = [
    path("", views.index, name="index"),
]
