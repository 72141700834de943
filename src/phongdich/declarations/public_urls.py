"""Public pages (no account): the medical declaration form and venue check-ins, namespace "public"."""

from django.urls import path

from phongdich.declarations import views

app_name = "public"
urlpatterns = [
    path("declare/", views.public_declare, name="declare"),
    path("declare/qr/<str:token>/", views.public_declared, name="declared"),
    path("checkin/<str:token>/", views.public_checkin, name="checkin"),
    path("checkin/<str:token>/done/", views.public_checked_in, name="checked-in"),
]
