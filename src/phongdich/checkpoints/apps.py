from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "phongdich.checkpoints"
    label = "checkpoints"
    verbose_name = _("Checkpoints and arrivals")

    def ready(self) -> None:
        from phongdich.checkpoints.actions import propose_vehicle_contacts
        from phongdich.checkpoints.panels import checkpoint_events
        from phongdich.people import timeline
        from phongdich.tracing.candidates import register_source

        register_source(propose_vehicle_contacts)
        timeline.register(checkpoint_events)
