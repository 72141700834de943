"""Pages of the declarations app, namespace "declarations" (staff)."""

from django.urls import path

from phongdich.declarations import views

app_name = "declarations"
urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("flags/<uuid:pk>/handle/", views.handle_flag, name="handle-flag"),
    path("venues/", views.venue_list, name="venues"),
    path("venues/new/", views.venue_create, name="venue-create"),
    path("venues/<uuid:pk>/", views.venue_edit, name="venue-edit"),
    path("venues/<uuid:pk>/poster/", views.venue_poster, name="venue-poster"),
    path("exposure-sites/<uuid:pk>/venues/", views.site_venues, name="site-venues"),
]
