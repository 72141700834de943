"""Pages of the checkpoints app, namespace "checkpoints" (at /checkpoints/)."""

from django.urls import path

from phongdich.checkpoints import manage_views, views

app_name = "checkpoints"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", manage_views.checkpoint_create, name="create"),
    path("<uuid:pk>/", manage_views.checkpoint_detail, name="detail"),
    path("<uuid:pk>/edit/", manage_views.checkpoint_edit, name="edit"),
    path("<uuid:pk>/shifts/", manage_views.shift_start, name="shift-start"),
    path("shifts/<uuid:pk>/end/", manage_views.shift_end, name="shift-end"),
    path("<uuid:pk>/vehicle-passage/", manage_views.vehicle_passage_create, name="vehicle-passage-create"),
    path("<uuid:pk>/screen/", views.screen, name="screen"),
    path("vehicles/", manage_views.vehicles, name="vehicles"),
    path("vehicles/<uuid:pk>/", manage_views.vehicle_detail, name="vehicle"),
    path("violations/", manage_views.violations, name="violations"),
    path("violations/new/", manage_views.violation_create, name="violation-create"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("arrivals/", views.arrivals, name="arrivals"),
    path("arrivals/<uuid:pk>/confirm/", views.arrival_confirm, name="arrival-confirm"),
    path("return/", views.report_return, name="report-return"),
    path("return/thanks/", views.report_thanks, name="report-thanks"),
]
