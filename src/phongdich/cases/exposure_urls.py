"""Staff pages of exposure sites. Mounted by the lead at "exposure-sites/" (namespace "exposure")."""

from django.urls import path

from phongdich.cases import exposure_views as views

app_name = "exposure"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("new/", views.site_create, name="create"),
    path("<uuid:pk>/", views.site_detail, name="detail"),
    path("<uuid:pk>/edit/", views.site_edit, name="edit"),
    path("<uuid:pk>/publish/", views.site_publish, name="publish"),
    path("<uuid:pk>/withdraw/", views.site_withdraw, name="withdraw"),
]
