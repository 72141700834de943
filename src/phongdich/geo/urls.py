from django.urls import path

from phongdich.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("search/", views.search, name="search"),
    path("import/villages/", views.import_villages, name="import-villages"),
    path("import/population/", views.import_population, name="import-population"),
    path("import/villages/mau-thon-ban.xlsx", views.template_download, {"kind": "villages"}, name="template-villages"),
    path(
        "import/population/mau-dan-so.xlsx", views.template_download, {"kind": "population"}, name="template-population"
    ),
    path("<str:version>/<str:code>/", views.unit_detail, name="unit"),
    path("<str:version>/<str:code>/crosswalk/", views.crosswalk, name="crosswalk"),
]
