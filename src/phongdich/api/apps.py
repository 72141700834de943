from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "phongdich.api"
    label = "api"
