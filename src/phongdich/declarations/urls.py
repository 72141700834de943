"""Pages of the declarations app, namespace "declarations"."""

from django.urls import path

from phongdich.declarations import views

app_name = "declarations"
urlpatterns = [
    path("", views.index, name="index"),
]
