"""The public exposure-site page (no sign-in). Mounted by the lead at "public/exposure/"
(namespace "exposure-public")."""

from django.urls import path

from phongdich.cases import exposure_views as views

app_name = "exposure-public"
urlpatterns = [
    path("", views.public_list, name="list"),
    path("<uuid:pk>/", views.public_report, name="report"),
    path("<uuid:pk>/thanks/", views.public_thanks, name="thanks"),
]
