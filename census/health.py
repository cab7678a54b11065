"""A liveness probe for load balancers and docker compose, answered before host and TLS checks."""

from django.db import connection
from django.http import HttpResponse


class HealthCheckMiddleware:
    """Answers GET /healthz with 200 when the database answers.

    It runs first in MIDDLEWARE because probes come over plain HTTP with an
    internal Host header, which the security middleware would redirect or refuse.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:
            return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        return HttpResponse("ok\n", content_type="text/plain")
