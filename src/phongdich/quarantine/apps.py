from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarantineConfig(AppConfig):
    name = "phongdich.quarantine"
    label = "quarantine"
    verbose_name = _("Quarantine and isolation")
