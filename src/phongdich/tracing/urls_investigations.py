"""Investigation, task, overdue-work and tracing-team pages, namespace "investigations".

Included by the lead at "tracing/" (paths below are relative to it).
"""

from django.urls import path

from phongdich.tracing import views_investigations as views

app_name = "investigations"
urlpatterns = [
    path("investigations/", views.investigation_list, name="list"),
    path("investigations/<uuid:pk>/teams/", views.investigation_teams, name="teams"),
    path("investigations/<uuid:pk>/sync/", views.investigation_sync, name="sync"),
    path("investigations/<uuid:pk>/close/", views.investigation_close, name="close"),
    path("tasks/<uuid:pk>/", views.task_update, name="task"),
    path("overdue/", views.overdue, name="overdue"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<uuid:pk>/", views.team_detail, name="team"),
    path("teams/<uuid:pk>/edit/", views.team_edit, name="team-edit"),
    path("teams/<uuid:pk>/members/", views.member_add, name="member-add"),
    path("teams/<uuid:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
]
