"""Pages of the community app, namespace "community"."""

from django.urls import path

from phongdich.community import views

app_name = "community"
urlpatterns = [
    path("", views.index, name="index"),
    path("teams/new/", views.team_create, name="team-create"),
    path("team/<uuid:pk>/", views.team, name="team"),
    path("team/<uuid:pk>/today/", views.today, name="today"),
    path("team/<uuid:pk>/visit/", views.visit, name="visit"),
    path("team/<uuid:pk>/toggle/", views.team_toggle, name="team-toggle"),
    path("team/<uuid:pk>/members/", views.member_add, name="member-add"),
    path("team/<uuid:pk>/members/<uuid:member_pk>/remove/", views.member_remove, name="member-remove"),
    path("team/<uuid:pk>/assign/", views.assign, name="assign"),
    path("team/<uuid:pk>/unassign/<uuid:household_pk>/", views.unassign, name="unassign"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<uuid:pk>/handle/", views.alert_handle, name="alert-handle"),
    path("watch/", views.watch_entries, name="watch"),
    path("watch/add/<uuid:person_pk>/", views.watch_add, name="watch-add"),
    path("watch/<uuid:pk>/end/", views.watch_end, name="watch-end"),
    path("groups/", views.groups, name="groups"),
    path("groups/<uuid:pk>/", views.group, name="group"),
    path("groups/<uuid:pk>/add/", views.group_add, name="group-add"),
    path("groups/<uuid:pk>/remove/<uuid:household_pk>/", views.group_remove, name="group-remove"),
]
