"""Pages for officials and the public: dashboards, reports, the public progress page and the widget."""

from django.urls import path, register_converter

from reports import views


class KatoConverter:
    """A KATO code: exactly nine digits (anything else is not a page, so a 404)."""

    regex = r"\d{9}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KatoConverter, "kato")

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
