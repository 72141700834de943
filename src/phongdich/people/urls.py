from django.urls import path

from phongdich.people import absent_views, views

app_name = "people"
urlpatterns = [
    # Person registry, search, duplicates (people/views.py)
    path("people/", views.search, name="search"),
    path("people/new/", views.create, name="create"),
    path("people/villages/", views.village_options, name="villages"),
    path("people/communes/", views.commune_options, name="communes"),
    path("people/<uuid:pk>/", views.detail, name="detail"),
    path("people/<uuid:pk>/edit/", views.edit, name="edit"),
    path("people/<uuid:pk>/residence/", views.residence, name="residence"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/", views.duplicate, name="duplicate"),
    path("duplicates/<int:pk>/merge/", views.duplicate_merge, name="duplicate-merge"),
    path("duplicates/<int:pk>/dismiss/", views.duplicate_dismiss, name="duplicate-dismiss"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge-undo"),
    # Absent-citizen lists (people/absent_views.py)
    path("absent/", absent_views.absent_lists, name="absent-lists"),
    path("absent/upload/", absent_views.absent_upload, name="absent-upload"),
    path("absent/uploads/<uuid:pk>/", absent_views.absent_upload_detail, name="absent-upload-detail"),
    path("absent/template.<str:fmt>", absent_views.absent_template, name="absent-template"),
    path("absent/export.<str:fmt>", absent_views.absent_export_view, name="absent-export"),
]
