from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Registers the Celery tasks in every process (web included): reports.outbox publishes them by name,
        # and only a registered task runs in place when tasks are eager (the embedded mode, the tests).
        from reports import tasks  # noqa: F401
