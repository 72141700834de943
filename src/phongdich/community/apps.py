from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "phongdich.community"
    label = "community"
    verbose_name = _("Community COVID teams")

    def ready(self) -> None:
        from phongdich.community.panels import overview_figures, person_community, visit_events
        from phongdich.core import overview
        from phongdich.people import panels, timeline

        overview.register(overview_figures)
        panels.register(person_community)
        timeline.register(visit_events)
