"""The staffing card of the district and region dashboards: on duty against the plan, the vaccinated share, the flags,
and the interviewers needed to finish door-to-door by its end, worked out by hand for a small district."""

import datetime

import pytest
from django.test import override_settings

from census.models import AuditEntry
from census.services import record_count, set_status
from census.staffing import record_staffing, set_staffing_plan
from reports.dashboards import store
from reports.models import RenderedDashboard
from reports.services import drain_recompute_outbox
from tests import factories

Kind = RenderedDashboard.Kind
FORM = AuditEntry.Source.FORM
AS_OF = datetime.date(2021, 10, 16)  # online closed on 15 Oct: no online growth is expected any more
WORKED = [datetime.date(2021, 10, day) for day in range(12, 17)]


@pytest.fixture
def region(campaign, after_campaign):
    """Region East: district One, 10,000 people, 4,000 counted online, then 300 a day door to door by 10 interviewers.

    By hand, on 16 Oct: 5,500 counted, 4,500 left, 30 persons per interviewer a day, 14 days to the 30 Oct end of
    door-to-door: 4,500 / (30 × 14) = 10.7, so 11 interviewers are needed, one more than the 10 on duty; at 10 it
    takes 4,500 / 300 = 15 days. The plan is 12 interviewers (10 is 83.3%: understaffed) and 1 instructor.
    District Two reports no staffing at all.
    """
    region = factories.RegionFactory(kato="160000000", name_en="East Region")
    one = factories.DistrictFactory(region=region, kato="161000000", name_en="District One")
    two = factories.DistrictFactory(region=region, kato="162000000", name_en="District Two")
    for district in (one, two):
        factories.BaselineFactory(district=district, campaign=campaign, population=10_000)
        record_count(campaign=campaign, district=district, date=datetime.date(2021, 9, 10), online=4_000, offline=0, source=FORM)
    for day in WORKED:
        for district in (one, two):
            record_count(campaign=campaign, district=district, date=day, online=0, offline=300, source=FORM)
        record_staffing(campaign=campaign, district=one, date=day, interviewers=10, instructors=1, volunteers=2,
                        vaccinated=12, source=FORM)  # fmt: skip
    set_staffing_plan(campaign=campaign, district=one, role="interviewer", planned=12, valid_from=WORKED[0], source=FORM)
    set_staffing_plan(campaign=campaign, district=one, role="instructor", planned=1, valid_from=WORKED[0], source=FORM)
    drain_recompute_outbox()
    return region


def card(campaign, kind, kato, as_of=AS_OF, language="en") -> str:
    html = store.dashboard_for(campaign=campaign, kind=kind, kato=kato, as_of=as_of, language=language).html
    start = html.index('<section class="card staffing"')
    return " ".join(html[start : html.index("</section>", start)].split())


def test_the_district_card_shows_on_duty_against_plan_the_vaccinated_share_and_the_interviewers_needed(region, campaign):
    shown = card(campaign, Kind.DISTRICT, "161000000")

    assert "10 of 12 planned (83.3%)" in shown
    assert "1 of 1 planned (100.0%)" in shown
    assert "92.3%" in shown  # 12 of the 13 on duty vaccinated
    assert "4,500" in shown  # door-to-door work left
    assert "<dd>30.0</dd>" in shown  # persons per interviewer a day, the median of the last 7 days
    assert "<dd>15</dd>" in shown  # days needed at today's staffing
    assert "<strong>11</strong>" in shown  # interviewers needed to finish by 30 Oct
    assert "1 more than on duty" in shown
    assert ">understaffed</span>" in shown and ">unvaccinated personnel on duty</span>" in shown


def test_volunteers_are_counted_but_never_add_interviewer_capacity(region, campaign):
    one = region.districts.get(kato="161000000")
    record_staffing(campaign=campaign, district=one, date=AS_OF, interviewers=10, instructors=1, volunteers=50,
                    vaccinated=61, reason="the volunteers' list came late", source=FORM)  # fmt: skip
    drain_recompute_outbox()

    shown = card(campaign, Kind.DISTRICT, "161000000")

    assert "<dd>50</dd>" in shown
    assert "<strong>11</strong>" in shown and "<dd>15</dd>" in shown
    assert "unvaccinated" not in shown


def test_before_three_days_of_data_the_norm_is_used_and_said(region, campaign):
    shown = card(campaign, Kind.DISTRICT, "161000000", as_of=WORKED[1])

    assert "<dd>27.7</dd>" in shown  # 830 persons over the 30 days of the phase
    assert "norm of 830 persons per interviewer over the whole door-to-door phase" in shown


@override_settings(CENSUS_STAFFING_UNDERSTAFFED_PERCENT=80)
def test_the_understaffed_share_is_a_setting(region, campaign):
    shown = card(campaign, Kind.DISTRICT, "161000000")

    assert ">understaffed</span>" not in shown
    assert ">unvaccinated personnel on duty</span>" in shown


def test_the_region_card_names_the_districts_under_each_flag(region, campaign):
    shown = card(campaign, Kind.REGION, "160000000")

    assert "1 / 2" in shown  # districts reporting staffing
    assert 'staffing not reported</span>: <bdi lang="en">District Two</bdi>' in shown
    assert 'understaffed</span>: <bdi lang="en">District One</bdi>' in shown


@pytest.mark.parametrize(("language", "words"), [("kk", "Санақ персоналы"), ("ru", "Переписной персонал")])
def test_the_card_speaks_kazakh_and_russian(region, campaign, language, words):
    assert words in card(campaign, Kind.DISTRICT, "161000000", language=language)


def test_a_district_closed_by_a_decision_owes_no_staffing_report(region, campaign):
    two = region.districts.get(kato="162000000")
    set_status(campaign=campaign, district=two, status="completed_early", date=AS_OF, source=FORM)
    drain_recompute_outbox()

    shown = card(campaign, Kind.REGION, "160000000")

    assert "staffing not reported" not in shown
