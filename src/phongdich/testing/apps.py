from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "phongdich.testing"
    label = "testing"
    verbose_name = _("Testing")

    def ready(self) -> None:
        from phongdich.core import overview
        from phongdich.people import panels, timeline
        from phongdich.testing.panels import overview_figures, person_samples, sample_events

        overview.register(overview_figures)
        panels.register(person_samples)
        timeline.register(sample_events)
