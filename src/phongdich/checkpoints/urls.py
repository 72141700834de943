"""Pages of the checkpoints app, namespace "checkpoints" (at /checkpoints/)."""

from django.urls import path

from phongdich.checkpoints import views

app_name = "checkpoints"
urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:pk>/screen/", views.screen, name="screen"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("arrivals/", views.arrivals, name="arrivals"),
    path("arrivals/<uuid:pk>/confirm/", views.arrival_confirm, name="arrival-confirm"),
    path("return/", views.report_return, name="report-return"),
    path("return/thanks/", views.report_thanks, name="report-thanks"),
]
