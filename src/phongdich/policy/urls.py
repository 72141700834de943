from django.urls import path

from phongdich.policy import risk_views, views

app_name = "policy"
urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("<int:pk>/", views.rule_set_detail, name="detail"),
    path("<int:pk>/copy/", views.rule_set_copy, name="copy"),
    path("<int:pk>/edit/", views.rule_set_edit, name="edit"),
    path("risk-areas/", risk_views.risk_area_list, name="risk-areas"),
    path("risk-areas/<int:pk>/end/", risk_views.risk_area_end, name="risk-area-end"),
]
