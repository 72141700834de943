"""Pages over cases and contacts (include at "reports/", namespace "reports")."""

from django.urls import path

from phongdich.tracing import report_views as views

app_name = "reports"
urlpatterns = [
    path("cases/", views.case_list, name="cases"),
    path("cases/export.<str:fmt>", views.case_export, name="cases-export"),
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/export.<str:fmt>", views.contact_export, name="contacts-export"),
    path("chains/", views.graphs, name="graphs"),
    path("chains/clusters/<uuid:pk>/", views.cluster_graph, name="cluster-graph"),
    path("chains/clusters/<uuid:pk>/graph.json", views.cluster_graph_json, name="cluster-graph-json"),
    path("chains/people/<uuid:pk>/", views.person_chain, name="person-chain"),
    path("chains/people/<uuid:pk>/graph.json", views.person_chain_json, name="person-chain-json"),
    path("figures/", views.dashboard, name="dashboard"),
]
