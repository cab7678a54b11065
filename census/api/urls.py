"""The REST API: /api/v1/ and its schema and docs (served from local files: no CDN)."""

from django.conf import settings
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView
from rest_framework import permissions
from rest_framework.routers import SimpleRouter

from census.api.areas import DistrictViewSet, RegionViewSet
from census.api.base import NotFoundView
from census.api.batch import DailyCountBatchView
from census.api.counts import DailyCountViewSet
from census.api.docs import ApiDocsView
from census.api.nonresponse import NonResponseViewSet
from census.api.service_points import ServicePointUseViewSet, ServicePointViewSet
from census.api.staffing import DailyStaffingViewSet, StaffingPlanViewSet
from reports.api import BriefingView, CoverageSeriesView, CoverageView, HighlightsView

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("districts", DistrictViewSet, basename="district")
router.register("daily-counts", DailyCountViewSet, basename="daily-count")
router.register("daily-staffing", DailyStaffingViewSet, basename="daily-staffing")
router.register("staffing-plans", StaffingPlanViewSet, basename="staffing-plan")
router.register("service-points", ServicePointViewSet, basename="service-point")
router.register("service-point-use", ServicePointUseViewSet, basename="service-point-use")
router.register("non-response", NonResponseViewSet, basename="non-response")

# Swagger UI sets style attributes on the elements it draws and ships a few inline styles of its own;
# scripts stay as strict as everywhere else ('self' only: the split view serves its set-up script as a file).
# (A nonce in style-src would make browsers ignore 'unsafe-inline', so this page's style-src has none.)
DOCS_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

v1 = [
    path("daily-counts/batch/", DailyCountBatchView.as_view(), name="daily-count-batch"),
    *router.urls,
    path("coverage/", CoverageView.as_view(), name="coverage"),
    path("coverage/series/", CoverageSeriesView.as_view(), name="coverage-series"),
    path("highlights/", HighlightsView.as_view(), name="highlights"),
    path("briefing/", BriefingView.as_view(), name="briefing"),
]

urlpatterns = [
    path("v1/", include((v1, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[permissions.AllowAny]), name="api-schema"),
    path(
        "docs/",
        csp_override(DOCS_CSP)(ApiDocsView.as_view(url_name="api-schema", permission_classes=[permissions.AllowAny])),
        name="api-docs",
    ),
    re_path(r"^.*$", NotFoundView.as_view(), name="api-not-found"),
]
