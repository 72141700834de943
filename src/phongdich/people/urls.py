from django.urls import path

from phongdich.people import absent_views, views

app_name = "people"
urlpatterns = [
    # Person registry, search, duplicates (people/views.py)
    path("people/", views.search, name="search"),
    path("people/new/", views.create, name="create"),
    path("people/<uuid:pk>/", views.detail, name="detail"),
    path("duplicates/", views.duplicates, name="duplicates"),
    # Absent-citizen lists (people/absent_views.py)
    path("absent/", absent_views.absent_lists, name="absent-lists"),
    path("absent/upload/", absent_views.absent_upload, name="absent-upload"),
]
