"""Pages of the treatment app, namespace "treatment"."""

from django.urls import path

from phongdich.treatment import views

app_name = "treatment"
urlpatterns = [
    path("", views.index, name="index"),
    path("beds/", views.beds, name="beds"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("facilities/new/", views.facility_create, name="facility_create"),
    path("facilities/<uuid:pk>/", views.facility_detail, name="facility"),
    path("facilities/<uuid:pk>/toggle/", views.facility_toggle, name="facility_toggle"),
    path("cases/<uuid:case_pk>/admit/", views.admit, name="admit"),
    path("cases/<uuid:case_pk>/home-care/", views.home_care_start, name="home_care_start"),
    path("admissions/<uuid:pk>/", views.admission_detail, name="admission"),
    path("admissions/<uuid:pk>/reassess/", views.admission_reassess, name="reassess"),
    path("admissions/<uuid:pk>/transfer/", views.admission_transfer, name="transfer"),
    path("admissions/<uuid:pk>/discharge/", views.admission_discharge, name="discharge"),
    path("home-care/", views.home_care_list, name="home_care_list"),
    path("home-care/<uuid:pk>/", views.home_care_detail, name="home_care"),
    path("home-care/<uuid:pk>/monitor/", views.home_care_monitor, name="monitor"),
    path("home-care/<uuid:pk>/escalate/", views.home_care_escalate, name="escalate"),
    path("home-care/<uuid:pk>/end/", views.home_care_end, name="home_care_end"),
]
