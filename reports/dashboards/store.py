"""Stored pages (RenderedDashboard): render a page in each language and store it, serve it fresh, and re-render after a recompute.

The job after every recompute renders the affected pages as of their latest
day; the web serves a stored page and renders it on demand, once, when it is
missing or older than the snapshot it was built from.

Stored pages are shared by everyone allowed to see them, so they hold nothing
that depends on the reader (their name, their role's extras, a CSP nonce):
no inline script or style, data for scripts in data-* attributes.
"""

import datetime
import hashlib
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from census.formatting import format_date, format_datetime
from regions.models import COUNTRY_KATO, District, Region
from reports import readcache
from reports.dashboards.pages import briefing_of, page_context
from reports.models import CoverageSnapshot, RenderedDashboard
from reports.pdf import region_pdf

Kind = RenderedDashboard.Kind
LANGUAGES = [code for code, _name in settings.LANGUAGES]
RENDER_LOCK_SECONDS = 120
# How long a PDF download waits for the same PDF being made by another one before making it itself.
PDF_WAIT_SECONDS = 30
PDF_WAIT_STEP = 0.25
# What a stored page's look depends on besides the figures: its templates, this code and the translations.
DESIGN_SOURCES = ["templates/reports/**/*.html", "reports/dashboards/*.py", "census/formatting.py", "reports/charts.py",
                  "reports/maps.py", "regions/boundaries.py", "locale/*/LC_MESSAGES/django.po"]  # fmt: skip


@lru_cache(maxsize=1)
def design() -> str:
    """A short fingerprint of DESIGN_SOURCES: pages rendered with another one are re-rendered."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for pattern in DESIGN_SOURCES:
        for path in sorted(base.glob(pattern)):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


TEMPLATES = {
    Kind.REGION: "reports/fragments/region.html",
    Kind.DISTRICT: "reports/fragments/district.html",
    Kind.NATIONAL: "reports/fragments/national.html",
    Kind.PUBLIC: "reports/fragments/public.html",
    Kind.WIDGET: "reports/fragments/widget.html",
}


def source_of(campaign, kato: str, as_of: datetime.date | None = None) -> tuple[datetime.date, datetime.datetime] | None:
    """(day, computed_at) of the snapshot a page of this area is built from: the area's row on as_of, else its last before.

    Every recompute from a day D rewrites the area's rows from D on (roll-ups
    included), so this one row's computed_at says whether anything a page as of
    that day shows has changed since it was rendered.
    """
    rows = CoverageSnapshot.objects.filter(campaign=campaign, kato=kato)
    if as_of is not None:
        rows = rows.filter(date__lte=as_of)
    return rows.order_by("-date").values_list("date", "computed_at").first()


def render_dashboard(
    *, campaign, kind: str, kato: str, as_of: datetime.date, languages=None, pdf: bool | None = None
) -> list[RenderedDashboard]:
    """Render one page (kind, area, day) in each language and store it; the region dashboard also as PDF.

    Idempotent: the row is upserted on its natural key. A page rendered without
    its PDF keeps the stored PDF only if that was made from the same snapshot.
    """
    source = source_of(campaign, kato, as_of)
    if source is None or source[0] != as_of:
        raise ValueError(f"no coverage snapshot of {kato} on {as_of}")
    computed_at = source[1]
    with_pdf = (kind == Kind.REGION) if pdf is None else (pdf and kind == Kind.REGION)
    stored = []
    for language in languages or LANGUAGES:
        rendered_at = timezone.now()
        with translation.override(language):
            # Built in the language: titles, chart labels and links (with their /kk/, /ru/, /en/ prefix) depend on it.
            context = page_context(campaign, kind, kato, as_of)
            texts = {
                "as_of_long": format_date(as_of, "DATE_FORMAT"),
                "computed_text": format_datetime(computed_at),
                "rendered_text": format_datetime(rendered_at),
                "deadline_text": format_date(context["deadline"]) if context.get("deadline") else "",
                "briefing": briefing_of(campaign, kind, kato, as_of, language),
            }
            html = render_to_string(TEMPLATES[kind], {**context, **texts})
            document = None
            if with_pdf:
                document = region_pdf({**context, **texts})
        defaults = {"html": html, "rendered_at": rendered_at, "source_computed_at": computed_at, "design": design()}
        key = {"campaign": campaign, "kind": kind, "kato": kato, "as_of": as_of, "language": language}
        with transaction.atomic():
            previous = (
                # Only this row (of=self), and no ORDER BY over Meta.ordering: that joins census_campaign,
                # and FOR UPDATE would then lock the campaign row that every count write needs too.
                RenderedDashboard.objects.select_for_update(of=("self",))
                .filter(**key)
                .only("id", "source_computed_at", "design")
                .order_by("pk")
                .first()
            )
            if (
                document is not None
                or previous is None
                or (previous.source_computed_at, previous.design) != (computed_at, design())
            ):
                defaults["pdf"] = document
            row, _created = RenderedDashboard.objects.update_or_create(**key, defaults=defaults)
        stored.append(row)
    # Readers are served from the cache by generation: once these pages are committed, the old copies are not served.
    readcache.bump_after_commit()
    return stored


def _fresh(stored: RenderedDashboard | None, computed_at) -> bool:
    """Made from the area's current snapshot, with this release's design."""
    return stored is not None and stored.source_computed_at >= computed_at and stored.design == design()


def dashboard_for(*, campaign, kind: str, kato: str, as_of: datetime.date | None, language: str) -> RenderedDashboard | None:
    """The stored page for the web (as of a day, or the area's latest): rendered now, once, if missing or stale."""
    source = source_of(campaign, kato, as_of)
    if source is None:
        return None
    day, computed_at = source
    key = {"campaign": campaign, "kind": kind, "kato": kato, "as_of": day, "language": language}
    stored = RenderedDashboard.objects.defer("pdf").filter(**key).first()
    if _fresh(stored, computed_at):
        return stored
    lock = f"render-dashboard:{campaign.pk}:{kind}:{kato}:{day.isoformat()}:{language}"
    # With Redis stopped or hung the cache keeps nothing and `add` answers True (census/redis_outage.py):
    # the page is rendered without the lock, at worst twice at once, rather than refused or left stale.
    if not cache.add(lock, 1, RENDER_LOCK_SECONDS) and stored is not None:
        # Someone else is rendering it right now: the previous page (which says when it was made) will do meanwhile.
        return stored
    try:
        return render_dashboard(campaign=campaign, kind=kind, kato=kato, as_of=day, languages=[language], pdf=False)[0]
    finally:
        cache.delete(lock)


def report_pdf(*, campaign, kato: str, as_of: datetime.date | None, language: str) -> RenderedDashboard | None:
    """The region's stored page with a PDF made from its current snapshot, rendering it when there is none."""
    source = source_of(campaign, kato, as_of)
    if source is None:
        return None
    day, computed_at = source
    with_pdf = RenderedDashboard.objects.filter(
        campaign=campaign, kind=Kind.REGION, kato=kato, as_of=day, language=language, pdf__isnull=False
    )
    stored = with_pdf.first()
    if _fresh(stored, computed_at):
        return stored
    # Made once per set of figures: a second download meanwhile waits for the first one's PDF instead of
    # rendering the same seconds-long document again. With Redis out `add` answers True: rendered without the lock.
    lock = f"render-pdf:{campaign.pk}:{kato}:{day.isoformat()}:{language}"
    waited = 0.0
    while not cache.add(lock, 1, RENDER_LOCK_SECONDS):
        time.sleep(PDF_WAIT_STEP)
        waited += PDF_WAIT_STEP
        stored = with_pdf.first()
        if _fresh(stored, computed_at):
            return stored
        if waited >= PDF_WAIT_SECONDS:
            break
    try:
        return render_dashboard(campaign=campaign, kind=Kind.REGION, kato=kato, as_of=day, languages=[language], pdf=True)[0]
    finally:
        cache.delete(lock)


def _render_latest(campaign, kind, kato, *, pdf=False) -> int:
    source = source_of(campaign, kato)
    if source is None:
        return 0
    day, computed_at = source
    # Under a stream of saves, render jobs queue up behind each other: the pages a later job (or a page view)
    # already made from the current snapshot are not made again, so the queue empties instead of re-rendering
    # every page and PDF once per job.
    stored = RenderedDashboard.objects.filter(campaign=campaign, kind=kind, kato=kato, as_of=day)
    if pdf:
        stored = stored.filter(pdf__isnull=False)
    fresh = {row.language for row in stored.only("language", "source_computed_at", "design") if _fresh(row, computed_at)}
    stale = [language for language in LANGUAGES if language not in fresh]
    if not stale:
        return 0
    return len(render_dashboard(campaign=campaign, kind=kind, kato=kato, as_of=day, languages=stale, pdf=pdf))


def render_after_recompute(*, campaign, district_ids: list[int] | None) -> list[int]:
    """Render, as of their latest day, the pages a recompute of these districts (None: all) changed.

    Region dashboards first (what officials open), then the country's pages, the
    public pages and widgets, then the district pages. PDFs are made when downloaded
    (report_pdf()). Returns the regions touched.
    """
    districts = District.objects.select_related("region").order_by("kato")
    if district_ids is not None:
        districts = districts.filter(pk__in=district_ids)
    districts = list(districts)
    regions = sorted({d.region for d in districts}, key=lambda r: r.kato)
    for region in regions:
        _render_latest(campaign, Kind.REGION, region.kato)
    _render_latest(campaign, Kind.NATIONAL, COUNTRY_KATO)
    for kind in (Kind.PUBLIC, Kind.WIDGET):
        _render_latest(campaign, kind, COUNTRY_KATO)
        for region in regions:
            _render_latest(campaign, kind, region.kato)
    for district in districts:
        _render_latest(campaign, Kind.DISTRICT, district.kato)
    return [r.pk for r in regions]


def render_reports(*, campaign, region_ids: list[int]) -> int:
    """Render the PDF reports (and their pages) of these regions as of their latest day, in each language."""
    done = 0
    for region in Region.objects.filter(pk__in=region_ids).order_by("kato"):
        done += _render_latest(campaign, Kind.REGION, region.kato, pdf=True)
    return done
