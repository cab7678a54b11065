"""A bare Django project, served by the read bench as its baseline: what `startproject` makes, plus one constant view.

The settings are startproject's (its INSTALLED_APPS and MIDDLEWARE, unchanged)
with DEBUG off; two views answer a constant: a plain Django view and a DRF
APIView with DRF's default settings. gunicorn serves `bench.bare:application`
the same way as the project, so the ratio of a project page to these says what
the project's own work costs.
"""

import os
import tempfile

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("SECRET_KEY", "bare-bench-project"),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "rest_framework",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        # startproject's SQLite file; the constant views never open it.
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(tempfile.gettempdir(), "bare-bench.sqlite3")}
        },
        STATIC_URL="static/",
        USE_TZ=True,
    )

import django  # noqa: E402 -- after settings.configure, as a standalone Django script must

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


def constant(request):
    return HttpResponse("ok", content_type="text/plain")


class ConstantApiView(APIView):
    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("minimal/", constant), path("minimal-api/", ConstantApiView.as_view())]

application = get_wsgi_application()
