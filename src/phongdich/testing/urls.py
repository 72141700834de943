"""Pages of the testing app, namespace "testing"."""

from django.urls import path

from phongdich.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.index, name="index"),
]
