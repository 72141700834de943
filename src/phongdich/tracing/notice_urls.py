"""Pages of inter-province notices. Mounted by the lead at "notices/" (namespace "notices")."""

from django.urls import path

from phongdich.tracing import notice_views as views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("import/", views.notice_import, name="import"),
    path("build/<uuid:case_pk>/", views.notice_build, name="build"),
    path("<uuid:pk>/", views.notice_detail, name="detail"),
    path("<uuid:pk>/sent/", views.notice_sent, name="sent"),
    path("<uuid:pk>/download.<str:fmt>", views.notice_download, name="download"),
]
