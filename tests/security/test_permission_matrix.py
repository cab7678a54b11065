"""Who may open and change what, over every page and API endpoint the site serves: one table, checked against the URL map.

Two small regions: A (districts A1 and A2) and B (district B1). Every person
and token below belongs to region A or to the country, except `tok_oth`, a
write token of region B: for it, A is the other region and B its own.

A cell of the table is what that actor gets:
  - a status code: that status, and nothing stored changes;
  - "302+" / "201+" / ...: that status, and the write landed;
  - "login": a redirect to a sign-in page (the entry pages' or the admin's);
  - for API lists, the areas the list shows ("A1 A2", "A", "-" for none): a 200 listing exactly those.

Pages ignore API tokens (they use sessions), so the token columns of pages read
like the anonymous one. Every write request runs in a savepoint rolled back
afterwards, so each actor starts from the same data; whatever is not allowed
to land must leave counts, statuses, the audit trail, the recompute outbox and
every admin-registered table exactly as they were.
"""

import datetime
import io
import json
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import translation

from census.access import issue_token
from census.accounts import provision_user
from census.models import AuditEntry, DailyCount, DistrictStatus, Phase
from census.nonresponse import record_non_response
from census.service_points import record_point_use, save_service_point
from census.services import extend_phase, record_count, set_status
from census.staffing import record_staffing, set_staffing_plan
from regions.models import COUNTRY_KATO, PopulationBaseline
from reports.dashboards import store
from reports.models import CoverageSnapshot, RecomputeRequest, RenderedDashboard
from reports.services import drain_recompute_outbox
from tests import factories
from tests.conftest import AFTER_CAMPAIGN, rolled_back_for_module

pytestmark = pytest.mark.usefixtures("after_campaign")

Kind = RenderedDashboard.Kind
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
KATO = {"A": "110000000", "A1": "111000000", "A2": "112000000", "B": "120000000", "B1": "121000000"}
LABEL = {kato: label for label, kato in KATO.items()} | {COUNTRY_KATO: "KZ"}
COUNTED_DAY = datetime.date(2021, 10, 5)  # A1, A2 and B1 have counts on this day
WRITE_DAY = datetime.date(2021, 10, 6)  # nobody has counted this day: a write creates it

ACTORS = ("anon", "off_reg", "off_cty", "st_dis", "st_reg", "admin", "tok_r", "tok_w", "tok_exp", "tok_rev", "tok_oth")
PEOPLE = {
    # actor: (role, area) as `manage.py add_user` would provision them
    "off_reg": ("official", KATO["A"]),
    "off_cty": ("official", COUNTRY_KATO),
    "st_dis": ("staff", KATO["A1"]),
    "st_reg": ("staff", KATO["A"]),
    "admin": ("admin", COUNTRY_KATO),
}
TOKENS = {
    # actor: (region, can_write, expires_at, revoked)
    "tok_r": ("A", False, None, False),
    "tok_w": ("A", True, None, False),
    "tok_exp": ("A", True, datetime.datetime(2021, 11, 1, tzinfo=datetime.UTC), False),
    "tok_rev": ("A", True, None, True),
    "tok_oth": ("B", True, None, False),
}
# Where each actor's writes may land; anywhere else, a write that changes a row fails its cell whatever the status.
MAY_CHANGE = {actor: set() for actor in ACTORS} | {
    "st_dis": {"A1"},
    "st_reg": {"A1", "A2"},
    "admin": {"A1", "A2", "B1"},
    "tok_w": {"A1", "A2"},
    "tok_oth": {"B1"},
}


@dataclass
class World:
    sessions: dict = field(default_factory=dict)  # actor -> session key
    keys: dict = field(default_factory=dict)  # actor -> token key
    labels: dict = field(default_factory=dict)  # district pk -> label
    objects: dict = field(default_factory=dict)  # admin model label -> pk of an object to open


def _axes_record(model):
    return model.objects.create(user_agent="test", ip_address="127.0.0.2", username="someone", http_accept="*/*", path_info="/")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two regions with counts, coverage and rendered pages, every person and token, built once for the module."""
    with rolled_back_for_module(django_db_blocker):
        # Throttle histories and import uploads of an earlier run must not leak in (the cache may be Redis).
        cache.clear()
        yield _build_world()


def _build_world() -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    campaign = factories.CampaignFactory()
    online = factories.PhaseFactory(campaign=campaign, kind=Phase.Kind.ONLINE, starts_on=datetime.date(2021, 9, 1),
                                    ends_on=datetime.date(2021, 10, 15))  # fmt: skip
    factories.PhaseFactory(campaign=campaign, kind=Phase.Kind.DOOR_TO_DOOR, starts_on=datetime.date(2021, 10, 1),
                           ends_on=datetime.date(2021, 10, 30))  # fmt: skip
    regions = {label: factories.RegionFactory(kato=KATO[label], name_en=f"Region {label}") for label in ("A", "B")}
    districts = {
        label: factories.DistrictFactory(region=regions[label[0]], kato=KATO[label], name_en=f"District {label}")
        for label in ("A1", "A2", "B1")
    }
    for district in districts.values():
        factories.BaselineFactory(district=district, campaign=campaign, population=1000)
        record_count(campaign=campaign, district=district, date=COUNTED_DAY, online=100, offline=200,
                     source=AuditEntry.Source.COMMAND)  # fmt: skip
    status = set_status(campaign=campaign, district=districts["B1"], status="completed_early",
                        date=datetime.date(2021, 10, 20), source=AuditEntry.Source.COMMAND)  # fmt: skip
    extension = extend_phase(phase=online, region=regions["B"], ends_on=datetime.date(2021, 10, 20),
                             decided_on=datetime.date(2021, 10, 10), reason="late start", source=AuditEntry.Source.COMMAND)  # fmt: skip
    for district in districts.values():  # the last, B1's, are the ones the admin opens
        plan = set_staffing_plan(campaign=campaign, district=district, role="interviewer", planned=10,
                                 valid_from=COUNTED_DAY, source=AuditEntry.Source.COMMAND)  # fmt: skip
        staffing = record_staffing(campaign=campaign, district=district, date=COUNTED_DAY, interviewers=9,
                                   instructors=1, volunteers=2, vaccinated=12, source=AuditEntry.Source.COMMAND)  # fmt: skip
        point = save_service_point(campaign=campaign, district=district, source=AuditEntry.Source.COMMAND,
                                   values={"kind": "psc", "name_kk": "ХҚКО", "name_ru": "ЦОН", "name_en": "PSC",
                                           "active_from": datetime.date(2021, 9, 1)})  # fmt: skip
        POINT_IDS[district.kato] = point.pk
        visits = record_non_response(campaign=campaign, district=district, date=COUNTED_DAY, figures=VISITS_FIGURES,
                                     source=AuditEntry.Source.COMMAND).row  # fmt: skip
        use = record_point_use(campaign=campaign, point=point, date=COUNTED_DAY, assisted=4,
                               source=AuditEntry.Source.COMMAND).use  # fmt: skip
    drain_recompute_outbox()
    # Rendered now, once, in English, so that the pages below read stored dashboards instead of each rendering its own.
    pages = [(Kind.NATIONAL, COUNTRY_KATO), *[(kind, COUNTRY_KATO) for kind in (Kind.PUBLIC, Kind.WIDGET)]]
    pages += [(kind, KATO[label]) for kind in (Kind.REGION, Kind.PUBLIC, Kind.WIDGET) for label in ("A", "B")]
    pages += [(Kind.DISTRICT, KATO[label]) for label in ("A1", "A2", "B1")]
    for kind, kato in pages:
        store.dashboard_for(campaign=campaign, kind=kind, kato=kato, as_of=None, language="en")
    for label in ("A", "B"):
        store.report_pdf(campaign=campaign, kato=KATO[label], as_of=None, language="en")
    # One more count after the drain, so that the outbox holds a request the admin can open.
    record_count(campaign=campaign, district=districts["B1"], date=datetime.date(2021, 10, 4), online=1, offline=1,
                 source=AuditEntry.Source.COMMAND)  # fmt: skip

    world = World(labels={district.pk: label for label, district in districts.items()})
    for actor, (role, kato) in PEOPLE.items():
        client = Client()
        client.force_login(provision_user(username=f"person.{actor}", role=role, kato=kato), backend=MODEL_BACKEND)
        world.sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    for actor, (label, can_write, expires_at, revoked) in TOKENS.items():
        token, key = issue_token(name=actor, region=regions[label], can_write=can_write, expires_at=expires_at)
        if revoked:
            token.revoked_at = AFTER_CAMPAIGN - datetime.timedelta(days=1)
            token.save()
        world.keys[actor] = key

    spare = factories.UserFactory(username="spare.account")
    world.objects = {
        "auth.group": Group.objects.create(name="editors").pk,
        "auth.user": spare.pk,
        "axes.accessattempt": AccessAttempt.objects.create(
            user_agent="test",
            ip_address="127.0.0.2",
            username="someone",
            http_accept="*/*",
            path_info="/",
            get_data="",
            post_data="",
            failures_since_start=1,
        ).pk,  # fmt: skip
        "axes.accesslog": _axes_record(AccessLog).pk,
        "axes.accessfailurelog": _axes_record(AccessFailureLog).pk,
        "census.dailycount": DailyCount.objects.get(district=districts["B1"], date=COUNTED_DAY).pk,
        "census.districtstatus": status.pk,
        "census.phaseextension": extension.pk,
        "census.staffingplan": plan.plan.pk,
        "census.dailystaffing": staffing.staffing.pk,
        "census.servicepoint": point.pk,
        "census.servicepointuse": use.pk,
        "census.dailynonresponse": visits.pk,
        "census.campaign": campaign.pk,
        "census.auditentry": AuditEntry.objects.filter(district=districts["B1"]).first().pk,
        "regions.region": regions["B"].pk,
        "regions.district": districts["B1"].pk,
        "regions.populationbaseline": PopulationBaseline.objects.get(district=districts["B1"]).pk,
        "reports.coveragesnapshot": CoverageSnapshot.objects.filter(kato=KATO["B1"]).first().pk,
        "reports.recomputerequest": RecomputeRequest.objects.get().pk,
    }
    return world


# --- The table --------------------------------------------------------------------------------------------

L = "login"
ANY_PAGE = (200,) * 11
SIGNED_IN_ONLY = (L, 302, 302, 302, 302, 302, L, L, L, L, L)


def _import_file(label: str) -> dict:
    upload = io.BytesIO(f"district;date;online;offline\n{KATO[label]};{WRITE_DAY:%d.%m.%Y};11;7\n".encode())
    upload.name = "counts.csv"
    return {"file": upload, "mode": "daily", "reason": ""}


def _grid(label: str) -> dict:
    kato = KATO[label]
    return {"date": WRITE_DAY.isoformat(), "mode": "daily", "reason": "", f"{kato}-online": "11", f"{kato}-offline": "7",
            f"{kato}-version": "0", f"{kato}-online-was": "", f"{kato}-offline-was": ""}  # fmt: skip


DAY_FORM = {"date": WRITE_DAY.isoformat(), "mode": "daily", "online": "11", "offline": "7", "reason": "", "version": "0"}
STAFFING_FORM = {"date": WRITE_DAY.isoformat(), "interviewers": "5", "instructors": "1", "volunteers": "0", "vaccinated": "6",
                 "reason": "", "version": "0"}  # fmt: skip
STATUS_FORM = {"status": "completed_early", "date": "2021-10-27", "note": "decision"}
VISITS_FIGURES = {"assigned": 50, "visits": 10, "interviewed": 6, "notice_shown": 1, "not_at_home": 1, "door_closed": 1,
                  "refused": 0, "no_notice": 1, "vacant": 0, "revisits_scheduled": 2, "revisits_made": 0, "outstanding": 40}  # fmt: skip
VISITS_FORM = {"date": WRITE_DAY.isoformat(), "reason": "", "version": "0", **{k: str(v) for k, v in VISITS_FIGURES.items()}}


def _visits(label: str) -> dict:
    return {"district": KATO[label], "date": WRITE_DAY.isoformat(), **VISITS_FIGURES}


# Each district's self-service point, by KATO code: filled in when the world is built.
POINT_IDS: dict[str, int] = {}


def _points_form(label: str) -> dict:
    return {"date": WRITE_DAY.isoformat(), f"assisted-{POINT_IDS[KATO[label]]}": "3", "reason": ""}


def _point_use(label: str) -> dict:
    return {"point": POINT_IDS[KATO[label]], "date": WRITE_DAY.isoformat(), "assisted": 3}


def _count(label: str) -> dict:
    return {"district": KATO[label], "date": WRITE_DAY.isoformat(), "online": 5, "offline": 5}


def _staffing(label: str) -> dict:
    return {"district": KATO[label], "date": WRITE_DAY.isoformat(), "interviewers": 5, "instructors": 1, "volunteers": 0,
            "vaccinated": 6}  # fmt: skip


def _plan(label: str) -> dict:
    return {"district": KATO[label], "role": "instructor", "planned": 2, "valid_from": WRITE_DAY.isoformat()}


def _batch(label: str) -> dict:
    # A district outside the actor's area is a rejected item in a 200: the cell then says nothing landed.
    return {"items": [{"key": f"device-{label}", "version": 0, **_count(label)}]}


# Bodies are functions: an upload is a file object, read once.
#                                                                                            anon   off_reg off_cty st_dis st_reg admin  tok_r  tok_w  tok_exp tok_rev tok_oth
ROWS = [
    # Dashboards, public pages and the widget (reports/urls.py)
    ("home",                  "GET",  "/en/",                                     None,   ANY_PAGE),
    ("national",              "GET",  "/en/dashboard/",                           None,   (L,     404,    200,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("region A",              "GET",  "/en/dashboard/{A}/",                       None,   (L,     200,    200,    404,   200,   200,   L,     L,     L,      L,      L)),
    ("region B",              "GET",  "/en/dashboard/{B}/",                       None,   (L,     404,    200,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("region pdf A",          "GET",  "/en/dashboard/{A}/report.pdf",             None,   (L,     200,    200,    404,   200,   200,   L,     L,     L,      L,      L)),
    ("region pdf B",          "GET",  "/en/dashboard/{B}/report.pdf",             None,   (L,     404,    200,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("district A1",           "GET",  "/en/dashboard/district/{A1}/",             None,   (L,     200,    200,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("district A2",           "GET",  "/en/dashboard/district/{A2}/",             None,   (L,     200,    200,    404,   200,   200,   L,     L,     L,      L,      L)),
    ("district B1",           "GET",  "/en/dashboard/district/{B1}/",             None,   (L,     404,    200,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("public",                "GET",  "/en/public/",                              None,   ANY_PAGE),
    ("public A",              "GET",  "/en/public/{A}/",                          None,   ANY_PAGE),
    ("public B",              "GET",  "/en/public/{B}/",                          None,   ANY_PAGE),
    ("widget A",              "GET",  "/en/widget/{A}/",                          None,   ANY_PAGE),
    ("widget B",              "GET",  "/en/widget/{B}/",                          None,   ANY_PAGE),
    # Sign-in and the entry pages (census/entry_urls.py)
    ("sign-in page",          "GET",  "/en/login/",                               None,   (200,   302,    302,    302,   302,   302,   200,   200,   200,    200,    200)),
    ("sign-in wrong password","POST", "/en/login/",                   lambda: {"username": "person.st_reg", "password": "wrong"},
                                                                                          ("200+", 302,   302,    302,   302,   302,   "200+","200+","200+", "200+", "200+")),
    ("sign-out",              "POST", "/en/logout/",                              None,   (L,) * 11),
    ("start",                 "GET",  "/en/start/",                               None,   (302,) * 11),
    ("entry home",            "GET",  "/en/entry/",                               None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("not reported",          "GET",  "/en/entry/not-reported/",                  None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("grid A",                "GET",  "/en/entry/region/{A}/",                    None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("grid B",                "GET",  "/en/entry/region/{B}/",                    None,   (L,     403,    403,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("grid A save A1",        "POST", "/en/entry/region/{A}/",        lambda: _grid("A1"),
                                                                                          (L,     403,    403,    "302+","302+","302+", L,    L,     L,      L,      L)),
    ("grid A save A2",        "POST", "/en/entry/region/{A}/",        lambda: _grid("A2"),
                                                                                          (L,     403,    403,    302,   "302+","302+", L,    L,     L,      L,      L)),
    ("grid B save B1",        "POST", "/en/entry/region/{B}/",        lambda: _grid("B1"),
                                                                                          (L,     403,    403,    404,   404,   "302+", L,    L,     L,      L,      L)),
    ("day A1",                "GET",  "/en/entry/district/{A1}/",                 None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("day A2",                "GET",  "/en/entry/district/{A2}/",                 None,   (L,     403,    403,    404,   200,   200,   L,     L,     L,      L,      L)),
    ("day B1",                "GET",  "/en/entry/district/{B1}/",                 None,   (L,     403,    403,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("day A1 save",           "POST", "/en/entry/district/{A1}/",     lambda: DAY_FORM,
                                                                                          (L,     403,    403,    "302+","302+","302+", L,    L,     L,      L,      L)),
    ("day A2 save",           "POST", "/en/entry/district/{A2}/",     lambda: DAY_FORM,
                                                                                          (L,     403,    403,    404,   "302+","302+", L,    L,     L,      L,      L)),
    ("day B1 save",           "POST", "/en/entry/district/{B1}/",     lambda: DAY_FORM,
                                                                                          (L,     403,    403,    404,   404,   "302+", L,    L,     L,      L,      L)),
    ("history A1",            "GET",  "/en/entry/district/{A1}/history/",         None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("history B1",            "GET",  "/en/entry/district/{B1}/history/",         None,   (L,     403,    403,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("status A1",             "GET",  "/en/entry/district/{A1}/status/",          None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("status B1",             "GET",  "/en/entry/district/{B1}/status/",          None,   (L,     403,    403,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("status A1 save",        "POST", "/en/entry/district/{A1}/status/", lambda: STATUS_FORM,
                                                                                          (L,     403,    403,    "302+","302+","302+", L,    L,     L,      L,      L)),
    ("status B1 save",        "POST", "/en/entry/district/{B1}/status/", lambda: STATUS_FORM,
                                                                                          (L,     403,    403,    404,   404,   "302+", L,    L,     L,      L,      L)),
    ("staffing A1",           "GET",  "/en/entry/district/{A1}/staffing/",        None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("staffing B1",           "GET",  "/en/entry/district/{B1}/staffing/",        None,   (L,     403,    403,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("staffing A1 save",      "POST", "/en/entry/district/{A1}/staffing/", lambda: STAFFING_FORM,
                                                                                          (L,     403,    403,    "302+","302+","302+", L,    L,     L,      L,      L)),
    ("staffing A2 save",      "POST", "/en/entry/district/{A2}/staffing/", lambda: STAFFING_FORM,
                                                                                          (L,     403,    403,    404,   "302+","302+", L,    L,     L,      L,      L)),
    ("staffing B1 save",      "POST", "/en/entry/district/{B1}/staffing/", lambda: STAFFING_FORM,
                                                                                          (L,     403,    403,    404,   404,   "302+", L,    L,     L,      L,      L)),
    ("points A1",             "GET",  "/en/entry/district/{A1}/points/",          None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("points B1",             "GET",  "/en/entry/district/{B1}/points/",          None,   (L,     403,    403,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("points A1 save",        "POST", "/en/entry/district/{A1}/points/",  lambda: _points_form("A1"),
                                                                                          (L,     403,    403,    "302+","302+","302+", L,    L,     L,      L,      L)),
    ("points A2 save",        "POST", "/en/entry/district/{A2}/points/",  lambda: _points_form("A2"),
                                                                                          (L,     403,    403,    404,   "302+","302+", L,    L,     L,      L,      L)),
    ("points B1 save",        "POST", "/en/entry/district/{B1}/points/",  lambda: _points_form("B1"),
                                                                                          (L,     403,    403,    404,   404,   "302+", L,    L,     L,      L,      L)),
    ("visits A1",             "GET",  "/en/entry/district/{A1}/visits/",          None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("visits B1",             "GET",  "/en/entry/district/{B1}/visits/",          None,   (L,     403,    403,    404,   404,   200,   L,     L,     L,      L,      L)),
    ("visits A1 save",        "POST", "/en/entry/district/{A1}/visits/",  lambda: VISITS_FORM,
                                                                                          (L,     403,    403,    "302+","302+","302+", L,    L,     L,      L,      L)),
    ("visits A2 save",        "POST", "/en/entry/district/{A2}/visits/",  lambda: VISITS_FORM,
                                                                                          (L,     403,    403,    404,   "302+","302+", L,    L,     L,      L,      L)),
    ("visits B1 save",        "POST", "/en/entry/district/{B1}/visits/",  lambda: VISITS_FORM,
                                                                                          (L,     403,    403,    404,   404,   "302+", L,    L,     L,      L,      L)),
    ("device sync health",    "GET",  "/en/entry/sync-health/",                   None,   (L,     200,    200,    403,   200,   200,   L,     L,     L,      L,      L)),
    ("import",                "GET",  "/en/entry/import/",                        None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("import check A1",       "POST", "/en/entry/import/",            lambda: _import_file("A1"),
                                                                                          (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("import check B1",       "POST", "/en/entry/import/",            lambda: _import_file("B1"),
                                                                                          (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    # Apply: the file is first checked by the same client (a preview), then applied with the preview's token.
    ("import apply A1",       "APPLY","/en/entry/import/apply/",      lambda: _import_file("A1"),
                                                                                          (L,     403,    403,    "302+","302+","302+", L,    L,     L,      L,      L)),
    ("import apply B1",       "APPLY","/en/entry/import/apply/",      lambda: _import_file("B1"),
                                                                                          (L,     403,    403,    302,   302,   "302+", L,    L,     L,      L,      L)),
    ("export csv",            "GET",  "/en/entry/export.csv",                     None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("export xlsx",           "GET",  "/en/entry/export.xlsx",                    None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("staffing export csv",   "GET",  "/en/entry/staffing-export.csv",            None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("staffing export xlsx",  "GET",  "/en/entry/staffing-export.xlsx",           None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("visits export csv",     "GET",  "/en/entry/visits-export.csv",              None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    ("visits export xlsx",    "GET",  "/en/entry/visits-export.xlsx",             None,   (L,     403,    403,    200,   200,   200,   L,     L,     L,      L,      L)),
    # The API (census/api/urls.py): people through their session, clients through `Authorization: Token`
    ("api regions",           "GET",  "/api/v1/regions/",                         None,   (401,   "A",    "A B",  "A",   "A",   "A B", "A",   "A",   401,    401,    "B")),
    ("api region A",          "GET",  "/api/v1/regions/{A}/",                     None,   (401,   200,    200,    200,   200,   200,   200,   200,   401,    401,    404)),
    ("api region B",          "GET",  "/api/v1/regions/{B}/",                     None,   (401,   404,    200,    404,   404,   200,   404,   404,   401,    401,    200)),
    ("api region A put",      "PUT",  "/api/v1/regions/{A}/",          lambda: {"name": "x"},
                                                                                          (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api region B delete",   "DELETE","/api/v1/regions/{B}/",                    None,   (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api districts",         "GET",  "/api/v1/districts/",                       None,   (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api district A1",       "GET",  "/api/v1/districts/{A1}/",                  None,   (401,   200,    200,    200,   200,   200,   200,   200,   401,    401,    404)),
    ("api district A2",       "GET",  "/api/v1/districts/{A2}/",                  None,   (401,   200,    200,    404,   200,   200,   200,   200,   401,    401,    404)),
    ("api district B1",       "GET",  "/api/v1/districts/{B1}/",                  None,   (401,   404,    200,    404,   404,   200,   404,   404,   401,    401,    200)),
    ("api district A1 patch", "PATCH","/api/v1/districts/{A1}/",       lambda: {"name": "x"},
                                                                                          (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api counts",            "GET",  "/api/v1/daily-counts/",                    None,   (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api count A1",          "POST", "/api/v1/daily-counts/",         lambda: _count("A1"),
                                                                                          (401,   403,    403,    "201+","201+","201+", 403,  "201+",401,   401,    403)),
    ("api count A2",          "POST", "/api/v1/daily-counts/",         lambda: _count("A2"),
                                                                                          (401,   403,    403,    403,   "201+","201+", 403,  "201+",401,   401,    403)),
    ("api count B1",          "POST", "/api/v1/daily-counts/",         lambda: _count("B1"),
                                                                                          (401,   403,    403,    403,   403,   "201+", 403,   403,  401,    401,    "201+")),
    ("api batch A1",          "POST", "/api/v1/daily-counts/batch/",   lambda: _batch("A1"),
                                                                                          (401,   403,    403,    "200+","200+","200+", 403,  "200+",401,   401,    200)),
    ("api batch A2",          "POST", "/api/v1/daily-counts/batch/",   lambda: _batch("A2"),
                                                                                          (401,   403,    403,    200,   "200+","200+", 403,  "200+",401,   401,    200)),
    ("api batch B1",          "POST", "/api/v1/daily-counts/batch/",   lambda: _batch("B1"),
                                                                                          (401,   403,    403,    200,   200,   "200+", 403,   200,  401,    401,    "200+")),
    ("api batch get",         "GET",  "/api/v1/daily-counts/batch/",              None,   (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api counts put",        "PUT",  "/api/v1/daily-counts/",         lambda: _count("A1"),
                                                                                          (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api counts delete",     "DELETE","/api/v1/daily-counts/",                   None,   (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api staffing",          "GET",  "/api/v1/daily-staffing/",                  None,   (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api staffing A1",       "POST", "/api/v1/daily-staffing/",       lambda: _staffing("A1"),
                                                                                          (401,   403,    403,    "201+","201+","201+", 403,  "201+",401,   401,    403)),
    ("api staffing A2",       "POST", "/api/v1/daily-staffing/",       lambda: _staffing("A2"),
                                                                                          (401,   403,    403,    403,   "201+","201+", 403,  "201+",401,   401,    403)),
    ("api staffing B1",       "POST", "/api/v1/daily-staffing/",       lambda: _staffing("B1"),
                                                                                          (401,   403,    403,    403,   403,   "201+", 403,   403,  401,    401,    "201+")),
    ("api staffing delete",   "DELETE","/api/v1/daily-staffing/",                 None,   (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api plans",             "GET",  "/api/v1/staffing-plans/",                  None,   (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api plan A1",           "POST", "/api/v1/staffing-plans/",       lambda: _plan("A1"),
                                                                                          (401,   403,    403,    "201+","201+","201+", 403,  "201+",401,   401,    403)),
    ("api plan A2",           "POST", "/api/v1/staffing-plans/",       lambda: _plan("A2"),
                                                                                          (401,   403,    403,    403,   "201+","201+", 403,  "201+",401,   401,    403)),
    ("api plan B1",           "POST", "/api/v1/staffing-plans/",       lambda: _plan("B1"),
                                                                                          (401,   403,    403,    403,   403,   "201+", 403,   403,  401,    401,    "201+")),
    ("api plans put",         "PUT",  "/api/v1/staffing-plans/",       lambda: _plan("A1"),
                                                                                          (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api coverage districts","GET",  "/api/v1/coverage/?level=district&date=2021-10-05", None,
                                                                                          (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api coverage regions",  "GET",  "/api/v1/coverage/?level=region&date=2021-10-05", None,
                                                                                          (401,   "A",    "A B",  "-",   "A",   "A B", "A",   "A",   401,    401,    "B")),
    ("api coverage country",  "GET",  "/api/v1/coverage/?level=country&date=2021-10-05", None,
                                                                                          (401,   "-",    "KZ",   "-",   "-",   "KZ",  "-",   "-",   401,    401,    "-")),
    ("api series A1",         "GET",  "/api/v1/coverage/series/?kato={A1}",       None,   (401,   200,    200,    200,   200,   200,   200,   200,   401,    401,    404)),
    ("api series B1",         "GET",  "/api/v1/coverage/series/?kato={B1}",       None,   (401,   404,    200,    404,   404,   200,   404,   404,   401,    401,    200)),
    ("api series A",          "GET",  "/api/v1/coverage/series/?kato={A}",        None,   (401,   200,    200,    404,   200,   200,   200,   200,   401,    401,    404)),
    ("api series country",    "GET",  "/api/v1/coverage/series/?kato=000000000",  None,   (401,   404,    200,    404,   404,   200,   404,   404,   401,    401,    404)),
    ("api highlights A",      "GET",  "/api/v1/highlights/?region={A}",           None,   (401,   200,    200,    404,   200,   200,   200,   200,   401,    401,    404)),
    ("api highlights B",      "GET",  "/api/v1/highlights/?region={B}",           None,   (401,   404,    200,    404,   404,   200,   404,   404,   401,    401,    200)),
    ("api briefing A",        "GET",  "/api/v1/briefing/?region={A}",             None,   (401,   200,    200,    404,   200,   200,   200,   200,   401,    401,    404)),
    ("api briefing B",        "GET",  "/api/v1/briefing/?region={B}",             None,   (401,   404,    200,    404,   404,   200,   404,   404,   401,    401,    200)),
    ("api schema",            "GET",  "/api/schema/",                             None,   (200,   200,    200,    200,   200,   200,   200,   200,   401,    401,    200)),
    ("api docs",              "GET",  "/api/docs/",                               None,   (200,   200,    200,    200,   200,   200,   200,   200,   401,    401,    200)),
    ("api unknown path",      "GET",  "/api/v2/regions/",                         None,   (404,) * 11),
    # Outside the URL map: the health probe (a middleware) and the language switch
    ("healthz",               "GET",  "/healthz",                                 None,   ANY_PAGE),
    ("service worker",        "GET",  "/sw.js",                                   None,   ANY_PAGE),
    ("web app manifest",      "GET",  "/manifest.webmanifest",                    None,   ANY_PAGE),
    ("set language",          "POST", "/i18n/setlang/",               lambda: {"language": "kk", "next": "/kk/"},
                                                                                          (302,) * 11),
    # The admin site's own pages; its per-model pages follow from ADMIN_MODELS below
    ("admin index",           "GET",  "/en/admin/",                               None,   (L,     L,      L,      L,     L,     200,   L,     L,     L,      L,      L)),
    ("admin sign-in",         "GET",  "/en/admin/login/",                         None,   (200,   200,    200,    200,   200,   302,   200,   200,   200,    200,    200)),
    # Signing out of the admin sends an administrator to the site's sign-in page, anyone else back to the admin.
    ("admin sign-out",        "POST", "/en/admin/logout/",                        None,   (302,   302,    302,    302,   302,   L,     302,   302,   302,    302,    302)),
    ("admin password",        "GET",  "/en/admin/password_change/",               None,   (L,     L,      L,      L,     L,     200,   L,     L,     L,      L,      L)),
    ("admin password done",   "GET",  "/en/admin/password_change/done/",          None,   (L,     L,      L,      L,     L,     200,   L,     L,     L,      L,      L)),
    ("admin autocomplete",    "GET",  "/en/admin/autocomplete/",                  None,   (L,     L,      L,      L,     L,     403,   L,     L,     L,      L,      L)),
    ("admin jsi18n",          "GET",  "/en/admin/jsi18n/",                        None,   (L,     L,      L,      L,     L,     200,   L,     L,     L,      L,      L)),
    ("admin view on site",    "GET",  "/en/admin/r/{ct:regions.region}/{pk:regions.region}/", None,
                                                                                          (L,     L,      L,      L,     L,     404,   L,     L,     L,      L,      L)),
    ("api service points",    "GET",  "/api/v1/service-points/",                  None,   (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api service points post","POST", "/api/v1/service-points/",                 dict,   (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api point use",         "GET",  "/api/v1/service-point-use/",               None,   (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api point use A1",      "POST", "/api/v1/service-point-use/",    lambda: _point_use("A1"),
                                                                                          (401,   403,    403,    "201+","201+","201+", 403,  "201+",401,   401,    403)),
    ("api point use A2",      "POST", "/api/v1/service-point-use/",    lambda: _point_use("A2"),
                                                                                          (401,   403,    403,    403,   "201+","201+", 403,  "201+",401,   401,    403)),
    ("api point use B1",      "POST", "/api/v1/service-point-use/",    lambda: _point_use("B1"),
                                                                                          (401,   403,    403,    403,   403,   "201+", 403,   403,  401,    401,    "201+")),
    ("api point use delete",  "DELETE","/api/v1/service-point-use/",              None,   (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("api visits",            "GET",  "/api/v1/non-response/",                    None,   (401,   "A1 A2","A1 A2 B1","A1","A1 A2","A1 A2 B1","A1 A2","A1 A2",401, 401,    "B1")),
    ("api visits A1",         "POST", "/api/v1/non-response/",         lambda: _visits("A1"),
                                                                                          (401,   403,    403,    "201+","201+","201+", 403,  "201+",401,   401,    403)),
    ("api visits A2",         "POST", "/api/v1/non-response/",         lambda: _visits("A2"),
                                                                                          (401,   403,    403,    403,   "201+","201+", 403,  "201+",401,   401,    403)),
    ("api visits B1",         "POST", "/api/v1/non-response/",         lambda: _visits("B1"),
                                                                                          (401,   403,    403,    403,   403,   "201+", 403,   403,  401,    401,    "201+")),
    ("api visits delete",     "DELETE","/api/v1/non-response/",                   None,   (401,   405,    405,    405,   405,   405,   405,   405,   401,    401,    405)),
    ("admin app census",      "GET",  "/en/admin/census/",                        None,   (L,     L,      L,      L,     L,     200,   L,     L,     L,      L,      L)),
    ("admin unknown page",    "GET",  "/en/admin/no-such-page/",                  None,   (L,     L,      L,      L,     L,     404,   L,     L,     L,      L,      L)),
    ("admin user password",   "GET",  "/en/admin/auth/user/{pk:auth.user}/password/", None,
                                                                                          (L,     L,      L,      L,     L,     200,   L,     L,     L,      L,      L)),
]  # fmt: skip

# What the administrator gets on each registered model's pages; everybody else is sent to the admin's sign-in.
# Records only services write (the audit trail, coverage, the outbox, sign-in failures) are read-only here,
# and accepted data (counts, statuses, extensions, baselines) is never deleted; a campaign, region or district
# that data hangs on cannot be deleted either (the confirmation page lists what protects it: a 200, nothing deleted).
#                                 changelist add  change history delete  add-submit  delete-submit
ADMIN_MODELS = {
    "auth.group":                  (200,     200,  200,   200,    200,    200,        "302+"),
    "auth.user":                   (200,     200,  200,   200,    200,    200,        "302+"),
    "axes.accessattempt":          (200,     403,  200,   200,    200,    403,        "302+"),
    "axes.accesslog":              (200,     403,  200,   200,    200,    403,        "302+"),
    "axes.accessfailurelog":       (200,     403,  200,   200,    200,    403,        "302+"),
    "census.dailycount":           (200,     200,  200,   200,    403,    200,        403),
    "census.districtstatus":       (200,     200,  200,   200,    403,    200,        403),
    "census.phaseextension":       (200,     200,  200,   200,    403,    200,        403),
    "census.staffingplan":         (200,     200,  200,   200,    403,    200,        403),
    "census.dailystaffing":        (200,     200,  200,   200,    403,    200,        403),
    "census.servicepoint":         (200,     200,  200,   200,    403,    200,        403),
    "census.servicepointuse":      (200,     200,  200,   200,    403,    200,        403),
    "census.dailynonresponse":     (200,     200,  200,   200,    403,    200,        403),
    "census.campaign":             (200,     200,  200,   200,    200,    200,        200),
    "census.auditentry":           (200,     403,  200,   200,    403,    403,        403),
    "regions.region":              (200,     200,  200,   200,    200,    200,        200),
    "regions.district":            (200,     200,  200,   200,    200,    200,        200),
    "regions.populationbaseline":  (200,     200,  200,   200,    403,    200,        403),
    "reports.coveragesnapshot":    (200,     403,  200,   200,    403,    403,        403),
    "reports.recomputerequest":    (200,     403,  200,   200,    403,    403,        403),
}  # fmt: skip


def _admin_rows():
    for label, (changelist, add, change, history, delete, add_submit, delete_submit) in ADMIN_MODELS.items():
        base = "/en/admin/{}/".format(label.replace(".", "/"))
        obj = f"{base}{{pk:{label}}}/"
        for page, method, url, body, status in [
            ("changelist", "GET", base, None, changelist),
            ("add", "GET", f"{base}add/", None, add),
            ("add submit", "POST", f"{base}add/", dict, add_submit),
            ("change", "GET", f"{obj}change/", None, change),
            ("history", "GET", f"{obj}history/", None, history),
            ("delete", "GET", f"{obj}delete/", None, delete),
            ("delete submit", "POST", f"{obj}delete/", lambda: {"post": "yes"}, delete_submit),
            ("object", "GET", obj, None, 302),
        ]:
            yield (f"admin {label} {page}", method, url, body, (L,) * 5 + (status,) + (L,) * 5)


ALL_ROWS = ROWS + list(_admin_rows())


# --- Running a row ----------------------------------------------------------------------------------------


def _url(template: str, world: World) -> str:
    from django.contrib.contenttypes.models import ContentType

    url = template
    for label, pk in world.objects.items():
        url = url.replace(f"{{pk:{label}}}", str(pk))
        if f"{{ct:{label}}}" in url:
            url = url.replace(f"{{ct:{label}}}", str(ContentType.objects.get_by_natural_key(*label.split(".")).pk))
    return url.format(**KATO)


def _client(world: World, actor: str) -> Client:
    """A fresh client per request: a session cookie for a person, the Authorization header for a token (pages too)."""
    if actor in world.keys:
        return Client(HTTP_AUTHORIZATION=f"Token {world.keys[actor]}")
    client = Client()
    if actor in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def _send(client: Client, method: str, url: str, body):
    data = body() if body is not None else None
    if method == "APPLY":
        preview = client.post("/en/entry/import/", data)
        token = preview.context["token"] if preview.status_code == 200 and preview.context else None
        return client.post(url, {"token": token or "no-such-upload"})
    if url.startswith("/api/"):
        payload = json.dumps(data) if data is not None else ""
        return client.generic(method, url, payload, content_type="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, data or {})


def _state():
    """Everything a write could change: counts, statuses, the audit trail, the outbox, and every admin-registered table.

    The first four are rows with the district each names, so that what a write added or changed can be placed.
    """
    return (
        list(DailyCount.objects.order_by("pk").values_list("district_id", "pk", "date", "online", "offline", "version")),
        list(DistrictStatus.objects.order_by("pk").values_list("district_id", "pk", "status", "date")),
        list(AuditEntry.objects.order_by("pk").values_list("district_id", "pk")),
        list(RecomputeRequest.objects.order_by("pk").values_list("district_id", "pk", "from_date")),
        _admin_table_sizes(),
    )


def _admin_table_sizes() -> tuple[int, ...]:
    # One query for all of them: this runs twice around every write of every actor.
    tables = [connection.ops.quote_name(model._meta.db_table) for model in admin.site._registry]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables))
        return tuple(cursor.fetchone())


def _touched(before, after, world: World) -> set[str]:
    """The districts (by label) of the counts, statuses, audit entries and recompute requests a write added or changed."""
    touched = set()
    for old, new in zip(before[:4], after[:4], strict=True):
        touched |= {row[0] for row in set(new) - set(old)}
    return {world.labels.get(pk, str(pk)) for pk in touched}


def _is_list_row(cells) -> bool:
    return any(isinstance(cell, str) and cell != L and not cell.endswith("+") for cell in cells)


def _listed(response) -> str:
    rows = response.json()["results"]
    labels = sorted({LABEL.get(row.get("kato") or row.get("district"), "?") for row in rows})
    return " ".join(labels) or "-"


def _observed(response, *, changed: bool, list_row: bool, outside: set[str]):
    status = response.status_code
    if outside:
        return f"{status}+ in {' '.join(sorted(outside))}, outside the actor's area"
    if list_row and status == 200:
        return _listed(response)
    if status == 302 and response["Location"].split("?")[0].endswith("/login/") and not changed:
        return L
    return f"{status}+" if changed else status


@pytest.mark.parametrize("row", ALL_ROWS, ids=[row[0] for row in ALL_ROWS])
def test_every_actor_gets_what_the_table_says_and_writes_land_only_in_scope(world, db, row):
    # given
    _name, method, template, body, cells = row
    url = _url(template, world)
    expected = dict(zip(ACTORS, cells, strict=True))
    writes = method != "GET"

    # when: each actor in turn, each in a savepoint rolled back afterwards
    got = {}
    for actor in ACTORS:
        with transaction.atomic():
            before = _state() if writes else None
            response = _send(_client(world, actor), method, url, body)
            after = _state() if writes else None
            transaction.set_rollback(True)
        outside = _touched(before, after, world) - MAY_CHANGE[actor] if writes else set()
        got[actor] = _observed(response, changed=after != before, list_row=_is_list_row(cells), outside=outside)

    # then
    wrong = {actor: f"expected {expected[actor]!r}, got {got[actor]!r}" for actor in ACTORS if got[actor] != expected[actor]}
    assert not wrong, f"{method} {url}: {wrong}"


def _served_routes(patterns, prefix: str = ""):
    """Every route of the URL map, spelled as ResolverMatch.route spells it (a nested pattern loses its leading ^)."""
    for pattern in patterns:
        route = str(pattern.pattern)
        route = prefix + route.removeprefix("^") if prefix else route
        if isinstance(pattern, URLResolver):
            yield from _served_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_every_url_the_site_serves_has_a_row_in_the_table(world, db):
    # given
    with translation.override("en"):
        served = set(_served_routes(get_resolver().url_patterns))

        # when
        covered = {resolve(_url(row[2], world).split("?")[0]).route for row in ALL_ROWS if row[2] != "/healthz"}

    # then: a new page or endpoint fails here until someone decides, in the table, who may open it.
    assert served - covered == set()
    assert set(ADMIN_MODELS) == {model._meta.label_lower for model in admin.site._registry}
    assert len({row[0] for row in ALL_ROWS}) == len(ALL_ROWS)
