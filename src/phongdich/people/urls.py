from django.urls import path

from phongdich.people import views

app_name = "people"
urlpatterns = [
    path("people/", views.search, name="search"),
    path("people/new/", views.create, name="create"),
    path("people/<uuid:pk>/", views.detail, name="detail"),
    path("absent/", views.absent_lists, name="absent-lists"),
    path("absent/upload/", views.absent_upload, name="absent-upload"),
    path("duplicates/", views.duplicates, name="duplicates"),
]
