"""Public pages (no account): the medical declaration form and venue check-ins, namespace "public"."""

from django.urls import path

from phongdich.declarations import views

app_name = "public"
urlpatterns = [
    path("declare/", views.index, name="declare"),
]
