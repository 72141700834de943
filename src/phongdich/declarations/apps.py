from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "phongdich.declarations"
    label = "declarations"
    verbose_name = _("Medical declarations and check-ins")

    def ready(self) -> None:
        from phongdich.declarations.candidates import checkin_candidates
        from phongdich.declarations.panels import person_declarations
        from phongdich.people import panels
        from phongdich.tracing.candidates import register_source

        register_source(checkin_candidates)
        panels.register(person_declarations)
