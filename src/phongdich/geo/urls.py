from django.urls import path

from phongdich.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.browse, name="browse"),
]
