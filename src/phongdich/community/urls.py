"""Pages of the community app, namespace "community"."""

from django.urls import path

from phongdich.community import views

app_name = "community"
urlpatterns = [
    path("", views.index, name="index"),
]
