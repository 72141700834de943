from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "phongdich.tracing"
    label = "tracing"
    verbose_name = _("Contact tracing")

    def ready(self) -> None:
        from phongdich.tracing import chain

        chain.register()  # the person page's timeline: F level and contacts

        from phongdich.people import merging, panels
        from phongdich.tracing import levels
        from phongdich.tracing.panels import person_level_panel

        panels.register(person_level_panel)
        merging.on_merge_change(levels.on_people_merged)
