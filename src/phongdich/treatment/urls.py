"""Pages of the treatment app, namespace "treatment"."""

from django.urls import path

from phongdich.treatment import views

app_name = "treatment"
urlpatterns = [
    path("", views.index, name="index"),
]
