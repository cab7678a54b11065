"""Entry with no connection, in a real browser: saves wait on the device (IndexedDB) and are sent once, when it is back."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from census.accounts import provision_user
from census.demo import DEMO_PASSWORD
from census.models import AuditEntry, DailyCount
from census.services import record_count
from census.sessions import end_sessions_of
from harness.ports import wait_for
from reports.models import CoverageSnapshot, RecomputeRequest
from tests.browser import browser_type_launch_args, console_errors, screenshot  # noqa: F401 -- shared fixtures
from tests.conftest import AFTER_CAMPAIGN
from tests.entry.test_entry_forms_in_browser import DAY, NEXT_DAY, region, sign_in  # noqa: F401 -- region is a fixture

pytestmark = pytest.mark.django_db(transaction=True)

DAY_BEFORE = DAY - datetime.timedelta(days=1)


@pytest.fixture
def browser_context_args(browser_context_args):
    # The page's outbox alone, without the service worker: Playwright's offline switch does not hold back
    # requests a service worker passes on, so with one the "offline" page would still reach the server.
    # The worker has its own test (test_offline_shell_in_browser.py).
    return {**browser_context_args, "service_workers": "block"}


BURLI = "311000000"


def save_day(page, day: datetime.date, online: str, offline: str, waiting: int):
    page.locator("#pick_date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Online", exact=True)).to_have_value("")
    page.get_by_label("Online", exact=True).fill(online)
    page.get_by_label("Door-to-door", exact=True).fill(offline)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-outbox-status]")).to_have_text(f"Waiting to be sent: {waiting}.")


def test_three_days_saved_offline_survive_a_reload_and_are_stored_once_when_back_online(
    region,  # noqa: F811
    live_server,
    page,
    screenshot,  # noqa: F811
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={NEXT_DAY.isoformat()}")

        # given: the connection drops, and three days are saved in the form
        page.context.set_offline(True)
        save_day(page, DAY_BEFORE, "30", "4", waiting=1)
        save_day(page, DAY, "120", "45", waiting=2)
        save_day(page, NEXT_DAY, "7", "8", waiting=3)
        expect(page.locator("[data-outbox-notice]")).to_contain_text("kept on this device")
        screenshot("waiting")
        assert not DailyCount.objects.exists()

        # when: the page is reloaded with no connection, then the connection comes back and the page is opened
        with pytest.raises(PlaywrightError):
            page.reload()
        page.context.set_offline(False)
        page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={NEXT_DAY.isoformat()}")

        # then: all three were kept, sent, and stored once each, with one audit entry each
        expect(page.locator("[data-outbox-status]")).to_contain_text("Waiting to be sent: 0. Last sent at ", timeout=60_000)
        stored = sorted(DailyCount.objects.values_list("district__kato", "date", "online", "offline", "version"))
        assert stored == [(BURLI, DAY_BEFORE, 30, 4, 1), (BURLI, DAY, 120, 45, 1), (BURLI, NEXT_DAY, 7, 8, 1)]
        entries = AuditEntry.objects.filter(subject=AuditEntry.Subject.COUNT)
        assert sorted(entries.values_list("date", "source", "user__username")) == [
            (DAY_BEFORE, AuditEntry.Source.API, "stat.test"),
            (DAY, AuditEntry.Source.API, "stat.test"),
            (NEXT_DAY, AuditEntry.Source.API, "stat.test"),
        ]
        # Sent again (another tab, a lost answer): nothing more is written.
        page.evaluate("() => window.censusOutbox.flush()")
        assert DailyCount.objects.count() == 3 and entries.count() == 3


def test_grid_cells_saved_offline_are_marked_while_they_wait_and_stored_once_when_back_online(
    region,  # noqa: F811
    live_server,
    page,
    screenshot,  # noqa: F811
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        grid = f"{live_server.url}/en/entry/region/310000000/?date={DAY.isoformat()}"
        page.goto(grid)

        # given: no connection, two districts' cells filled and saved
        page.context.set_offline(True)
        for name, online, offline in (("Burli District", "120", "45"), ("Taskala District", "60", "0")):
            page.get_by_role("textbox", name=f"{name}: Online", exact=True).fill(online)
            page.get_by_role("textbox", name=f"{name}: Door-to-door", exact=True).fill(offline)
        page.get_by_role("button", name="Save all").click()

        # then: both rows wait, each of their cells marked, nothing stored yet
        expect(page.locator("[data-outbox-status]")).to_have_text("Waiting to be sent: 2.")
        expect(page.locator("input.figure.is-waiting")).to_have_count(4)
        expect(page.get_by_role("textbox", name="Burli District: Online", exact=True)).to_have_attribute(
            "title", "Waiting to be sent"
        )
        screenshot("grid-waiting")
        assert not DailyCount.objects.exists()

        # when: reloaded with no connection, then opened again once it is back
        with pytest.raises(PlaywrightError):
            page.reload()
        page.context.set_offline(False)
        page.goto(grid)

        # then: both stored once, with one audit entry each, and no cell marked
        expect(page.locator("[data-outbox-status]")).to_contain_text("Waiting to be sent: 0. Last sent at ", timeout=60_000)
        expect(page.locator("input.figure.is-waiting")).to_have_count(0)
        stored = sorted(DailyCount.objects.values_list("district__kato", "date", "online", "offline", "version"))
        assert stored == [("311000000", DAY, 120, 45, 1), ("312000000", DAY, 60, 0, 1)]
        assert AuditEntry.objects.filter(subject=AuditEntry.Subject.COUNT).count() == 2


def test_totals_for_the_next_day_saved_before_the_days_own_end_with_the_right_days_and_totals(
    region,  # noqa: F811
    campaign,
    live_server,
    page,
    screenshot,  # noqa: F811
):
    burli = region.districts.get(kato=BURLI)
    record_count(campaign=campaign, district=burli, date=DAY_BEFORE, online=5, offline=3, source="form")
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={NEXT_DAY.isoformat()}&mode=cumulative")

        # given: offline, the totals as of D+1 are saved first (the sheet at hand), then those as of D
        page.context.set_offline(True)
        save_day(page, NEXT_DAY, "35", "63", waiting=1)
        save_day(page, DAY, "15", "23", waiting=2)
        expect(page.locator("form[data-outbox-day] [name=mode]")).to_have_value("cumulative")
        assert DailyCount.objects.count() == 1

        # when: the connection comes back, and D+1 reaches the server before D
        page.context.set_offline(False)
        page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={NEXT_DAY.isoformat()}")

        # then: each day holds its own share of the totals, which are the totals entered, each day written once
        expect(page.locator("[data-outbox-status]")).to_contain_text("Waiting to be sent: 0. Last sent at ", timeout=60_000)
        stored = {row.date: (row.online, row.offline) for row in DailyCount.objects.filter(district=burli)}
        assert stored == {DAY_BEFORE: (5, 3), DAY: (10, 20), NEXT_DAY: (20, 40)}
        [totals] = DailyCount.objects.filter(district=burli).totals_before(NEXT_DAY + datetime.timedelta(days=1))
        assert (totals["online"], totals["offline"]) == (35, 63)
        # and the coverage the dashboards show follows the days, not the order they arrived in, once the coverage
        # work owed is done (a send from the "online" event and one from the page load may both be draining it)
        assert wait_for(lambda: not RecomputeRequest.objects.exists(), 30)
        snapshot = CoverageSnapshot.objects.get(kato=BURLI, date=NEXT_DAY)
        assert (snapshot.online, snapshot.offline) == (35, 63)
        assert CoverageSnapshot.objects.get(kato=BURLI, date=DAY).total == 38
        screenshot("next-day-first")


def test_an_ended_session_keeps_what_waits_until_the_person_signs_in_again(
    region,  # noqa: F811
    live_server,
    page,
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={DAY.isoformat()}")
        page.context.set_offline(True)
        page.get_by_label("Online", exact=True).fill("120")
        page.get_by_label("Door-to-door", exact=True).fill("45")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("[data-outbox-status]")).to_have_text("Waiting to be sent: 1.")

        # Signing out while something waits asks first; declined, nothing happens.
        dialogs = []
        page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.get_by_role("button", name="Sign out").click()
        assert dialogs and dialogs[0].startswith("Not yet sent from this device: 1.")

        # when: the session ends meanwhile (signed out elsewhere, or timed out), and the connection comes back
        # Through the session store, as signing out elsewhere does: with the cache in front of the database
        # (cached_db, on Redis), deleting the rows alone would leave the session alive in the cache.
        assert end_sessions_of(get_user_model().objects.get(username="stat.test")) >= 1
        page.context.set_offline(False)

        # then: the page asks to sign in again and keeps the entry
        notice = page.locator("[data-outbox-notice]")
        expect(notice).to_contain_text("Sign in again to send what is waiting", timeout=60_000)
        expect(page.locator("[data-outbox-status]")).to_have_text("Waiting to be sent: 1.")
        assert not DailyCount.objects.exists()

        # and once signed in again, it is sent
        notice.get_by_role("link", name="Sign in").click()
        expect(page.locator("input[name='username']")).to_be_focused()
        page.keyboard.type("stat.test")
        page.keyboard.press("Tab")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/entry/district/{BURLI}/**")
        expect(page.locator("[data-outbox-status]")).to_contain_text("Waiting to be sent: 0. Last sent at ", timeout=60_000)
        assert list(DailyCount.objects.values_list("date", "online", "offline")) == [(DAY, 120, 45)]


def test_a_day_changed_meanwhile_shows_both_values_and_mine_can_be_sent_as_a_correction(
    region,  # noqa: F811
    campaign,
    live_server,
    page,
    screenshot,  # noqa: F811
):
    burli = region.districts.get(kato=BURLI)
    colleague = provision_user(username="aigul.stat", role="staff", kato=region.kato, password=DEMO_PASSWORD)
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={DAY.isoformat()}")

        # given: the day saved offline against "no record yet", and a colleague saving it meanwhile
        page.context.set_offline(True)
        page.get_by_label("Online", exact=True).fill("120")
        page.get_by_label("Door-to-door", exact=True).fill("45")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("[data-outbox-status]")).to_have_text("Waiting to be sent: 1.")
        record_count(campaign=campaign, district=burli, date=DAY, online=100, offline=40, source="form", user=colleague)

        # when: the connection is back
        page.context.set_offline(False)

        # then: nothing is overwritten; both values are shown, with the choice
        attention = page.locator("[data-outbox-attention]")
        expect(attention).to_contain_text("it now holds 100 online and 40 door-to-door; you entered 120 and 45", timeout=60_000)
        assert DailyCount.objects.get(district=burli, date=DAY).online == 100
        screenshot("conflict")

        # when: mine is sent as a correction, first without a reason, then with one
        attention.get_by_role("button", name="Send mine as a correction").click()
        assert DailyCount.objects.get(district=burli, date=DAY).online == 100
        attention.get_by_label("Reason for a correction").fill("forms counted twice by the colleague")
        attention.get_by_role("button", name="Send mine as a correction").click()

        # then: mine replaces the colleague's, audited with the reason, and nothing is left waiting
        expect(page.locator("[data-outbox-status]")).to_contain_text("Waiting to be sent: 0. Last sent at ", timeout=60_000)
        expect(attention).to_be_hidden()
        row = DailyCount.objects.get(district=burli, date=DAY)
        assert (row.online, row.offline, row.version) == (120, 45, 2)
        correction = AuditEntry.objects.filter(district=burli, date=DAY).latest("pk")
        assert (correction.user.username, correction.reason) == ("stat.test", "forms counted twice by the colleague")


def test_a_stale_csrf_token_is_read_again_and_the_send_tried_once_more(
    region,  # noqa: F811
    live_server,
    page,
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={DAY.isoformat()}")
        page.context.set_offline(True)
        page.get_by_label("Online", exact=True).fill("120")
        page.get_by_label("Door-to-door", exact=True).fill("45")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("[data-outbox-status]")).to_have_text("Waiting to be sent: 1.")

        # given: the CSRF cookie and the page's token no longer match (as after a sign-in in another tab)
        page.context.add_cookies([{"name": "csrftoken", "value": "stale" * 8, "url": live_server.url}])
        page.evaluate("() => document.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(i => i.value = 'x')")
        sent = []
        page.on("response", lambda response: sent.append(response.status) if "/batch/" in response.url else None)

        # when: the connection is back
        page.context.set_offline(False)

        # then: refused once (403), sent again with a fresh token, stored once
        expect(page.locator("[data-outbox-status]")).to_contain_text("Waiting to be sent: 0. Last sent at ", timeout=60_000)
        assert sent == [403, 200]
        assert list(DailyCount.objects.values_list("date", "online", "offline", "version")) == [(DAY, 120, 45, 1)]
        assert AuditEntry.objects.filter(subject=AuditEntry.Subject.COUNT).count() == 1
