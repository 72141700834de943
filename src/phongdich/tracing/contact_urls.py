"""Pages to record contacts and check contact candidates. Mounted at "tracing/contacts/" (namespace "contacts")."""

from django.urls import path

from phongdich.tracing import contact_views as views

app_name = "contacts"
urlpatterns = [
    path("person/<uuid:pk>/", views.person_contacts, name="person"),
    path("person/<uuid:pk>/search/", views.search, name="search"),
    path("person/<uuid:pk>/add/", views.add, name="add"),
    path("person/<uuid:pk>/<uuid:contact_pk>/remove/", views.remove, name="remove"),
    path("person/<uuid:pk>/candidates/<uuid:candidate_pk>/confirm/", views.confirm, name="confirm"),
    path("person/<uuid:pk>/candidates/<uuid:candidate_pk>/reject/", views.reject, name="reject"),
]
