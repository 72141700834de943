from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentConfig(AppConfig):
    name = "phongdich.treatment"
    label = "treatment"
    verbose_name = _("Treatment")

    def ready(self) -> None:
        from phongdich.cases import events
        from phongdich.community import watch
        from phongdich.core import overview
        from phongdich.people import panels, timeline
        from phongdich.treatment.panels import home_care_watch, overview_figures, person_treatment, treatment_events

        overview.register(overview_figures)
        panels.register(person_treatment)
        timeline.register(treatment_events)
        watch.register(home_care_watch)
        from phongdich.treatment.actions import close_for_case

        events.on_closed(close_for_case)
