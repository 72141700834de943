"""Case and cluster pages, namespace "cases" (included at "cases/")."""

from django.urls import path

from phongdich.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/<uuid:person_pk>/", views.case_create, name="create"),
    path("<uuid:pk>/", views.case_detail, name="detail"),
    path("<uuid:pk>/edit/", views.case_edit, name="edit"),
    path("<uuid:pk>/rule-out/", views.case_rule_out, name="rule-out"),
    path("<uuid:pk>/outcome/", views.case_outcome, name="outcome"),
    path("clusters/", views.cluster_list, name="clusters"),
    path("clusters/new/", views.cluster_create, name="cluster-create"),
    path("clusters/<uuid:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<uuid:pk>/edit/", views.cluster_edit, name="cluster-edit"),
    path("clusters/<uuid:pk>/delete/", views.cluster_delete, name="cluster-delete"),
]
