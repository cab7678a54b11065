"""Pages for statistics staff: sign-in, daily entry, the region grid, imports and exports."""

from django.contrib.auth import views as auth_views
from django.urls import path

# Registers the <kato:...> converter (exactly nine digits) whichever URL map is read first.
import regions.converters  # noqa: F401
from census.views import days, exports, grid, history, imports, navigation, overview, points, signin, staffing, sync, visits

app_name = "entry"

urlpatterns = [
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("start/", navigation.start, name="start"),
    path("entry/", overview.home, name="home"),
    path("entry/not-reported/", overview.not_reported, name="not_reported"),
    path("entry/region/<kato:kato>/", grid.grid, name="grid"),
    path("entry/district/<kato:kato>/", days.district_day, name="district"),
    path("entry/district/<kato:kato>/history/", history.history, name="history"),
    path("entry/district/<kato:kato>/status/", history.district_status, name="status"),
    path("entry/district/<kato:kato>/staffing/", staffing.district_staffing, name="staffing"),
    path("entry/district/<kato:kato>/points/", points.district_points, name="points"),
    path("entry/district/<kato:kato>/visits/", visits.district_visits, name="visits"),
    path("entry/sync-health/", sync.sync_health, name="sync_health"),
    path("entry/import/", imports.import_file, name="import"),
    path("entry/import/apply/", imports.import_apply, name="import_apply"),
    path("entry/export.csv", exports.export, {"file_format": "csv"}, name="export_csv"),
    path("entry/export.xlsx", exports.export, {"file_format": "xlsx"}, name="export_xlsx"),
    path(
        "entry/staffing-export.csv",
        exports.export_district_days,
        {"file_format": "csv", "record": "staffing"},
        name="staffing_export_csv",
    ),
    path(
        "entry/staffing-export.xlsx",
        exports.export_district_days,
        {"file_format": "xlsx", "record": "staffing"},
        name="staffing_export_xlsx",
    ),
    path(
        "entry/visits-export.csv",
        exports.export_district_days,
        {"file_format": "csv", "record": "visits"},
        name="visits_export_csv",
    ),
    path(
        "entry/visits-export.xlsx",
        exports.export_district_days,
        {"file_format": "xlsx", "record": "visits"},
        name="visits_export_xlsx",
    ),
]
