from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "census"
    verbose_name = _("Census")

    def ready(self):
        # Connects the signal receivers: sign-in times and deactivation (sessions), the security log (security), the API token cache (access).
        from census import access, security, sessions  # noqa: F401
