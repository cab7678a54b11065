"""URL map: the API (not language-prefixed, its paths are a contract), then pages under /kk/, /ru/, /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from census.views import shell

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("census.api.urls")),
    # At the root, so that the worker's scope covers the entry pages of every language.
    path("sw.js", shell.service_worker, name="service-worker"),
    path("manifest.webmanifest", shell.manifest, name="manifest"),
]
urlpatterns += i18n_patterns(
    path("", include("reports.urls")),
    path("", include("census.entry_urls")),
    path("admin/", admin.site.urls),
)
