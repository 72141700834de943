"""Pages of the quarantine app, namespace "quarantine"."""

from django.urls import path

from phongdich.quarantine import views

app_name = "quarantine"
urlpatterns = [
    path("", views.index, name="index"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("overdue/", views.overdue, name="overdue"),
    path("placements/", views.placements, name="placements"),
    path("placements/<uuid:pk>/", views.placement_detail, name="placement"),
    path("placements/<uuid:pk>/order.pdf", views.order_pdf, name="order_pdf"),
    path("placements/<uuid:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("place/<uuid:person_id>/", views.place_one, name="place"),
    path("facilities/new/", views.facility_create, name="facility_create"),
    path("facilities/<uuid:pk>/", views.facility_detail, name="facility"),
]
