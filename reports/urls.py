"""Pages for officials and the public: dashboards, reports, the public progress page and the widget."""

from django.urls import path

# Registers the <kato:...> converter (exactly nine digits) whichever URL map is read first.
import regions.converters  # noqa: F401
from reports import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.national_dashboard, name="dashboard_national"),
    path("dashboard/<kato:kato>/", views.region_dashboard, name="dashboard_region"),
    path("dashboard/<kato:kato>/report.pdf", views.region_report, name="dashboard_region_pdf"),
    path("dashboard/district/<kato:kato>/", views.district_dashboard, name="dashboard_district"),
    path("public/", views.public_page, name="public"),
    path("public/<kato:kato>/", views.public_page, name="public_region"),
    path("widget/<kato:kato>/", views.widget, name="widget"),
]
