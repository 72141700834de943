from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarantineConfig(AppConfig):
    name = "phongdich.quarantine"
    label = "quarantine"
    verbose_name = _("Quarantine and isolation")

    def ready(self) -> None:
        from phongdich.cases import events
        from phongdich.community import watch
        from phongdich.core import overview
        from phongdich.people import panels, timeline
        from phongdich.quarantine.panels import (
            home_quarantine_watch,
            overview_figures,
            person_quarantine,
            quarantine_events,
        )

        overview.register(overview_figures)
        panels.register(person_quarantine)
        timeline.register(quarantine_events)
        watch.register(home_quarantine_watch)
        from phongdich.quarantine.actions import end_stay_of_new_f0

        events.on_confirmed(end_stay_of_new_f0)
