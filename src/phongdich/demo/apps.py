from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "phongdich.demo"
    label = "demo"
