"""The plausibility checks on the staff pages: the district form, the region grid (per row) and the import preview (per row).

The test region's districts have 20,000 people each: 50% is 10,000 a day, 5% is 1,000.
"""

import io

import pytest

from census.models import AuditEntry, DailyCount
from tests.entry.conftest import OPEN_DAY
from tests.entry.test_grid import grid_post

pytestmark = pytest.mark.usefixtures("after_campaign")

DAY = OPEN_DAY.isoformat()


def form_post(client, district, online, offline, **extra):
    data = {"date": DAY, "mode": "daily", "online": online, "offline": offline, "reason": "", "version": "0", **extra}
    return client.post(f"/en/entry/district/{district.kato}/", data)


def stored(district):
    row = DailyCount.objects.filter(district=district, date=OPEN_DAY).first()
    return (row.online, row.offline) if row else None


# --- The district form ---------------------------------------------------------------------------


def test_the_form_refuses_an_implausible_day_offers_a_confirm_box_and_saves_once_confirmed_with_a_reason(area, staff_client):
    refused = form_post(staff_client, area.first, "10 001", "0")

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "10,001 in one day would be 50.005% of the district&#x27;s baseline of 20,000 (more than 50%)" in html
    assert 'name="confirm_implausible"' in html
    assert 'value="10 001"' in html  # what was typed is kept
    assert stored(area.first) is None

    no_reason = form_post(staff_client, area.first, "10 001", "0", confirm_implausible="on")
    assert no_reason.status_code == 400
    assert stored(area.first) is None

    saved = form_post(staff_client, area.first, "10 001", "0", confirm_implausible="on", reason="two days of forms")
    assert saved.status_code == 302
    assert stored(area.first) == (10_001, 0)
    page = staff_client.get(saved["Location"]).content.decode()
    assert "would be 50.005%" in page  # what it was confirmed past is shown as a warning


def test_the_form_saves_an_unusual_day_and_shows_the_warning(area, staff_client):
    response = form_post(staff_client, area.first, "1 001", "0")

    assert response.status_code == 302
    assert stored(area.first) == (1_001, 0)
    page = staff_client.get(response["Location"]).content.decode()
    assert "1,001 in one day is 5.005% of the district&#x27;s baseline of 20,000 (more than 5%)" in page


def test_the_confirm_box_is_not_offered_for_ordinary_figures(area, staff_client):
    page = staff_client.get(f"/en/entry/district/{area.first.kato}/?date={DAY}").content.decode()

    assert 'name="confirm_implausible"' not in page


# --- The region grid -----------------------------------------------------------------------------


def test_the_grid_refuses_the_implausible_cell_keeps_everything_and_confirms_per_row(area, staff_client):
    cells = {area.first: ("120", "45"), area.second: ("30 000", "0")}

    refused = grid_post(staff_client, area, cells, language="en")

    assert refused.status_code == 400
    assert not DailyCount.objects.exists()
    rows = {row["district"].kato: row for row in refused.context["rows"]}
    assert rows[area.first.kato]["errors"] == {}
    assert "30,000 in one day would be 150.0%" in rows[area.second.kato]["errors"]["online"][0]
    assert rows[area.second.kato]["needs_confirmation"]
    assert not rows[area.first.kato]["needs_confirmation"]
    html = refused.content.decode()
    assert f'name="{area.second.kato}-confirm"' in html
    assert f'name="{area.first.kato}-confirm"' not in html

    # The page as it came back, with the box on the refused row ticked and a reason given.
    data = {"date": DAY, "mode": "daily", "reason": "a town moved into the district", f"{area.second.kato}-confirm": "on"}
    for row in refused.context["rows"]:
        kato = row["district"].kato
        data |= {
            f"{kato}-version": str(row["version"]),
            f"{kato}-online-was": row["was_online"],
            f"{kato}-offline-was": row["was_offline"],
            f"{kato}-online": row["online"],
            f"{kato}-offline": row["offline"],
        }
    confirmed = staff_client.post(f"/en/entry/region/{area.region.kato}/", data)

    assert confirmed.status_code == 302
    assert (stored(area.first), stored(area.second)) == ((120, 45), (30_000, 0))
    assert AuditEntry.objects.get(district=area.second).reason == "a town moved into the district"


def test_the_grid_saves_unusual_cells_and_warns_naming_the_district(area, staff_client):
    response = grid_post(staff_client, area, {area.third: ("0", "2 500")})

    assert response.status_code == 302
    assert stored(area.third) == (0, 2_500)
    page = staff_client.get(response["Location"]).content.decode()
    assert "Taskala District: Door-to-door: 2,500 in one day is 12.5%" in page


# --- The import preview ----------------------------------------------------------------------------


def upload(client, text: str, **extra):
    file = io.BytesIO(text.encode())
    file.name = "counts.csv"
    return client.post("/en/entry/import/", {"file": file, "mode": "daily", "reason": "", **extra})


FILE = f"kato;date;online;offline\n{{first}};{DAY};1500;0\n{{second}};{DAY};50000;0\n"


def test_the_import_preview_names_the_implausible_row_and_offers_nothing_to_apply(area, staff_client):
    preview = upload(staff_client, FILE.format(first=area.first.kato, second=area.second.kato))

    assert preview.status_code == 200
    assert preview.context["token"] is None
    errors = [(error.line, error.message) for error in preview.context["errors"]]
    assert any(line == 3 and "50,000 in one day would be 250.0%" in message for line, message in errors)
    assert preview.context["needs_confirmation"]
    assert "data-needs-confirmation" in preview.content.decode()
    warned = {outcome.row.line: [c.code for c in outcome.warnings] for outcome in preview.context["shown"]}
    assert warned == {2: ["day_large"]}
    assert "1,500 in one day is 7.5%" in preview.content.decode()
    assert not DailyCount.objects.exists()


def test_a_confirmed_import_previews_and_applies_with_the_reason(area, staff_client):
    preview = upload(
        staff_client,
        FILE.format(first=area.first.kato, second=area.second.kato),
        confirm_implausible="on",
        reason="the city's figures came in one file",
    )

    assert preview.context["token"]
    html = preview.content.decode()
    assert 'name="confirm_implausible" value="on"' in html
    assert not DailyCount.objects.exists()

    applied = staff_client.post("/en/entry/import/apply/", {"token": preview.context["token"], "confirm_implausible": "on"})

    assert applied.status_code == 302
    assert (stored(area.first), stored(area.second)) == ((1_500, 0), (50_000, 0))


def test_an_apply_without_the_confirmation_writes_nothing(area, staff_client):
    preview = upload(
        staff_client, FILE.format(first=area.first.kato, second=area.second.kato), confirm_implausible="on", reason="checked"
    )

    applied = staff_client.post("/en/entry/import/apply/", {"token": preview.context["token"]})

    assert applied.status_code == 400
    assert not DailyCount.objects.exists()


def test_a_ticked_confirmation_stays_when_another_row_is_refused(area, staff_client):
    page = staff_client.get(f"/en/entry/region/{area.region.kato}/?date={DAY}")
    data = {"date": DAY, "mode": "daily", "reason": "checked", f"{area.second.kato}-confirm": "on"}
    for row in page.context["rows"]:
        kato = row["district"].kato
        data |= {f"{kato}-version": "0", f"{kato}-online-was": "", f"{kato}-offline-was": ""}
    data |= {f"{area.first.kato}-online": "12x", f"{area.first.kato}-offline": "0"}
    data |= {f"{area.second.kato}-online": "30000", f"{area.second.kato}-offline": "0"}

    response = staff_client.post(f"/en/entry/region/{area.region.kato}/", data)

    assert response.status_code == 400
    assert not DailyCount.objects.exists()
    assert f'name="{area.second.kato}-confirm" id="cell-{area.second.kato}-confirm" checked' in response.content.decode()
