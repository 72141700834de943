"""Pages of the testing app, namespace "testing"."""

from django.urls import path

from phongdich.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.index, name="index"),
    path("results/", views.area_results, name="results"),
    path("collect/", views.collect, name="collect"),
    path("collect/<uuid:person_pk>/", views.take, name="take"),
    path("collect/pool/", views.pool, name="pool"),
    path("samples/<uuid:pk>/", views.sample, name="sample"),
    path("lab/enter/", views.enter, name="enter"),
    path("lab/import/", views.import_file, name="import"),
    path("lab/import/template.csv", views.import_template, name="import_template"),
    path("lab/import/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("labs/", views.labs, name="labs"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<uuid:pk>/confirm/", views.confirm, name="confirm"),
    path("proposals/<uuid:pk>/reject/", views.reject, name="reject"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<uuid:pk>/", views.campaign, name="campaign"),
]
