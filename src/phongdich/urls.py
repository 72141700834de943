from django.contrib import admin
from django.urls import include, path

from phongdich.api.main import api

urlpatterns = [
    path("", include("phongdich.core.urls")),
    path("units/", include("phongdich.geo.urls")),
    path("", include("phongdich.people.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
