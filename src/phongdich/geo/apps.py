from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "phongdich.geo"
    label = "geo"
    verbose_name = _("Administrative units")

    def ready(self) -> None:
        from phongdich.geo import cache  # noqa: F401 - connects the signals that empty the unit cache
