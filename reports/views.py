"""Dashboard pages: each serves a stored rendering (reports.dashboards.store) inside the per-visitor page frame.

Officials, staff and administrators see the pages their scope covers
(census.access.scope_of; anything outside it is a 404). The public page and
the widget need no login and show only published aggregates.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from census import audit
from census.access import scope_of
from census.formatting import format_date, format_datetime
from census.importing import parse_typed_date
from census.models import AuditEntry, Campaign, Role
from regions.models import COUNTRY_KATO, District, Region, country_name
from reports import readcache
from reports.dashboards import store
from reports.models import RenderedDashboard

Kind = RenderedDashboard.Kind
CHARTED = {Kind.REGION, Kind.DISTRICT, Kind.NATIONAL}
STAFF_ROLES = {Role.STAFF, Role.ADMIN}
AUDIT_ROWS = 200
# The widget is meant to be framed by other sites (a news site, an akimat's portal): it may be embedded anywhere.
WIDGET_CSP = {
    "default-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "script-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["*"],
    "form-action": ["'self'"],
}


def _language() -> str:
    language = (get_language() or "ru")[:2]
    return language if language in store.LANGUAGES else "ru"


def _requested_day(request) -> tuple[datetime.date | None, str]:
    """The ?as_of= day asked for (ISO or dd.mm.yyyy), or None for the latest, and a notice when it could not be read."""
    text = (request.GET.get("as_of") or "").strip()
    if not text:
        return None, ""
    day = parse_typed_date(text)
    if day is not None:
        return day, ""
    return None, _("“%(text)s” is not a date: the latest figures are shown.") % {"text": text[:20]}


def _dashboard(request, *, kind: str, kato: str):
    """The stored page for the request's day and language, with a notice when another day had to be shown.

    Looked up once per read generation (reports/readcache.py): the campaign, the page's snapshot and the stored
    page change only when the jobs bump it. The same for every reader allowed to see the page, so not scoped.
    """
    language = _language()
    return readcache.lookup(
        ("dashboard", kind, kato, request.GET.get("as_of") or "", language),
        lambda: _find_dashboard(request, kind=kind, kato=kato, language=language),
    )


def _find_dashboard(request, *, kind: str, kato: str, language: str):
    campaign = Campaign.objects.current()
    if campaign is None:
        return None, None, ""
    day, notice = _requested_day(request)
    dashboard = store.dashboard_for(campaign=campaign, kind=kind, kato=kato, as_of=day, language=language)
    if dashboard is None and day is not None:
        dashboard = store.dashboard_for(campaign=campaign, kind=kind, kato=kato, as_of=None, language=language)
        notice = _("There are no figures for %(day)s: the latest are shown.") % {"day": format_date(day)}
    elif dashboard is not None and day is not None and dashboard.as_of != day:
        notice = _("There are no figures after %(day)s yet: those of %(day)s are shown.") % {"day": format_date(dashboard.as_of)}
    return campaign, dashboard, notice


def _nav(request, scope, current: str) -> list[dict]:
    items = []
    if request.user.is_authenticated and scope.role:
        items.append({"url": reverse("home"), "label": _("My dashboard"), "current": current == "home"})
        if scope.is_country:
            items.append({"url": reverse("dashboard_national"), "label": _("Country"), "current": current == "national"})
    items.append({"url": reverse("public"), "label": _("Public page"), "current": current == "public"})
    return items


def _page(request, *, kind, kato, title, scope, current, extra=None):
    campaign, dashboard, notice = _dashboard(request, kind=kind, kato=kato)
    context = {
        "title": title,
        "dashboard": dashboard,
        "notice": notice,
        "uses_charts": kind in CHARTED,
        "uses_map": dashboard is not None and "data-geojson=" in dashboard.html,
        "dashboard_nav": _nav(request, scope, current),
        "audit_entries": None,
    }
    if extra is not None:
        context.update(extra(campaign, dashboard))
    return render(request, "reports/page.html", context)


@require_safe
def home(request):
    """The visitor's own dashboard: the country, their region or their district; the public page for anyone else."""
    scope = scope_of(request.user)
    if not request.user.is_authenticated or not scope.role:
        return public_page(request)
    if scope.is_country:
        return national_dashboard(request)
    if scope.district_id is not None:
        return district_dashboard(request, District.objects.get(pk=scope.district_id).kato)
    return region_dashboard(request, Region.objects.get(pk=scope.region_id).kato)


@require_safe
@login_required
@readcache.reader_response
def national_dashboard(request):
    scope = scope_of(request.user)
    if not scope.is_country:
        raise Http404
    return _page(request, kind=Kind.NATIONAL, kato=COUNTRY_KATO, title=country_name(), scope=scope, current="national")


@require_safe
@login_required
@readcache.reader_response
def region_dashboard(request, kato: str):
    scope = scope_of(request.user)
    # Per scope (never shared between scopes) and generation: an area in view stays in view until an assignment
    # changes, and a changed assignment is a new scope. A 404 is not kept.
    region = readcache.lookup(("region", scope, kato), lambda: scope.region_or_404(kato, whole=True))
    return _page(request, kind=Kind.REGION, kato=kato, title=region.name, scope=scope, current="home")


@require_safe
@login_required
@readcache.reader_response
def district_dashboard(request, kato: str):
    scope = scope_of(request.user)
    district = readcache.lookup(("district", scope, kato), lambda: scope.district_or_404(kato))

    def audit(campaign, dashboard):
        # The audit trail names people: staff and administrators only, and never in the stored page.
        if scope.role not in STAFF_ROLES or dashboard is None:
            return {}
        return {"audit_entries": _audit_entries(scope, campaign, district, dashboard.as_of)}

    return _page(request, kind=Kind.DISTRICT, kato=kato, title=district.name, scope=scope, current="home", extra=audit)


def _audit_entries(scope, campaign, district, as_of) -> list[dict]:
    entries = (
        scope.by_district(AuditEntry.objects.filter(campaign=campaign, district=district))
        .filter(date__lte=as_of)
        .select_related("user")
        .order_by("-at", "-id")[:AUDIT_ROWS]
    )
    rows = []
    for entry in entries:
        who = (entry.user.get_full_name() or entry.user.get_username()) if entry.user else _("system")
        rows.append(
            {
                "at": format_datetime(entry.at),
                "who": who,
                "what": entry.get_subject_display(),
                "source": entry.get_source_display(),
                "date": format_date(entry.date),
                "changes": audit.changes(entry, in_sentence=True),
                "reason": entry.reason_text,
            }
        )
    return rows


@require_safe
@login_required
def region_report(request, kato: str):
    """The region's PDF report as of a day, as an attachment."""
    scope = scope_of(request.user)
    scope.region_or_404(kato, whole=True)
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404
    day, _notice = _requested_day(request)
    stored = store.report_pdf(campaign=campaign, kato=kato, as_of=day, language=_language())
    if stored is None and day is not None:
        stored = store.report_pdf(campaign=campaign, kato=kato, as_of=None, language=_language())
    if stored is None or stored.pdf is None:
        raise Http404
    response = HttpResponse(bytes(stored.pdf), content_type="application/pdf")
    filename = f"census-{kato}-{stored.as_of.isoformat()}-{stored.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _public_area(kato: str | None) -> tuple[str, str]:
    if kato is None or kato == COUNTRY_KATO:
        return COUNTRY_KATO, country_name()
    region = get_object_or_404(Region.objects.filter(districts__isnull=False).distinct(), kato=kato)
    return region.kato, region.name


# The size the embed snippet suggests: it fits a sidebar, and the widget is made to be read at 300x250.
EMBED_WIDTH, EMBED_HEIGHT = 320, 400


def embed_snippet(url: str, title: str) -> str:
    """The <iframe> another site pastes to show a widget (escaped here: it is shown as text, then copied)."""
    return (
        f'<iframe src="{escape(url)}" width="{EMBED_WIDTH}" height="{EMBED_HEIGHT}" title="{escape(title)}" '
        f'style="border:0" loading="lazy"></iframe>'
    )


@require_safe
@readcache.public_response
def public_page(request, kato: str | None = None):
    """Census progress for everyone, no login: published aggregates only, and how to embed them elsewhere."""
    area_kato, name = _public_area(kato)

    def embed(_campaign, dashboard):
        # Built per request, not stored with the page: the snippet needs this site's own address.
        if dashboard is None:
            return {}
        widget_title = _("Census progress: %(area)s") % {"area": name}
        districts = []
        if area_kato != COUNTRY_KATO:
            region_districts = District.objects.filter(region__kato=area_kato)
            for district in sorted(region_districts, key=lambda d: d.sort_name):
                url = request.build_absolute_uri(reverse("widget", args=[district.kato]))
                districts.append({"name": district.name, "url": url})
        url = request.build_absolute_uri(reverse("widget", args=[area_kato]))
        return {"embed": {"url": url, "snippet": embed_snippet(url, widget_title), "districts": districts}}

    return _page(
        request, kind=Kind.PUBLIC, kato=area_kato, title=_("Census progress: %(area)s") % {"area": name},
        scope=scope_of(request.user), current="public", extra=embed,
    )  # fmt: skip


@require_safe
@xframe_options_exempt
@csp_override(WIDGET_CSP)
@readcache.public_response
def widget(request, kato: str):
    """A small page other sites may embed in an iframe: coverage of the country, a region or a district, and its parts."""
    district = District.objects.filter(kato=kato).first()
    area_kato, name = (district.kato, district.name) if district is not None else _public_area(kato)
    _campaign, dashboard, _notice = _dashboard(request, kind=Kind.WIDGET, kato=area_kato)
    return render(request, "reports/widget_page.html", {"title": name, "dashboard": dashboard})
