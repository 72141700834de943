from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "phongdich.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from phongdich.cases.panels import case_events, overview_figures, person_cases
        from phongdich.core import overview
        from phongdich.people import panels, timeline

        overview.register(overview_figures)
        panels.register(person_cases)
        timeline.register(case_events)
