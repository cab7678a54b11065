"""Pages for statistics staff: sign-in, daily entry, the region grid, imports and exports."""

from django.contrib.auth import views as auth_views
from django.urls import path

# Registers the <kato:...> converter (exactly nine digits) whichever URL map is read first.
import regions.converters  # noqa: F401
from census import views

app_name = "entry"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("start/", views.start, name="start"),
    path("entry/", views.home, name="home"),
    path("entry/not-reported/", views.not_reported, name="not_reported"),
    path("entry/region/<kato:kato>/", views.grid, name="grid"),
    path("entry/district/<kato:kato>/", views.district_day, name="district"),
    path("entry/district/<kato:kato>/history/", views.history, name="history"),
    path("entry/district/<kato:kato>/status/", views.district_status, name="status"),
    path("entry/import/", views.import_file, name="import"),
    path("entry/import/apply/", views.import_apply, name="import_apply"),
    path("entry/export.csv", views.export, {"file_format": "csv"}, name="export_csv"),
    path("entry/export.xlsx", views.export, {"file_format": "xlsx"}, name="export_xlsx"),
]
