"""The dashboards' card on door-to-door visits and non-response: one area's day beside coverage, never in it.

Households, never people. The rates are reports.coverage.visit_rates(); the card gives the area's day (the
outcomes of its visits as a bar and their figures, the rates), and for a region its districts, highest
non-response first, so that "why is district X stuck?" has an answer on the page.
"""

import datetime

from django.utils.translation import gettext as _

from census.formatting import format_number, format_percent
from census.models import DailyNonResponse
from census.nonresponse import NON_RESPONSE_FIELDS, totals
from reports import charts, coverage


def _rates(figures: dict) -> dict:
    rates = coverage.visit_rates(figures)
    return {
        "visits_text": format_number(figures["visits"]),
        "contact_text": format_percent(rates.contact),
        "non_response_text": format_percent(rates.non_response),
        "outstanding_text": format_percent(rates.outstanding),
        "revisit_text": format_percent(rates.revisit_burden),
        "notice_gap_text": format_percent(rates.notice_gap),
        "non_response": rates.non_response,
    }


def visits_card(campaign, *, districts: list, areas: dict | None, as_of: datetime.date) -> dict | None:
    """The card for these districts' day (one district, or a region's); None when none of them reported visits that day."""
    rows = DailyNonResponse.objects.filter(campaign=campaign, district__in=districts, date=as_of)
    summed = totals(rows)
    if summed is None:
        return None
    answered = summed["interviewed"] + summed["notice_shown"]
    no_answer = summed["not_at_home"] + summed["door_closed"] + summed["refused"] + summed["no_notice"]
    visits = summed["visits"] or 1
    # The last part is hatched as well as coloured (charts.split_bar): "no answer", as the legend's swatches show.
    parts = [
        (_("answered"), answered, charts.ONLINE),
        (_("vacant or not a dwelling"), summed["vacant"], charts.REST),
        (_("no answer"), no_answer, charts.OFFLINE),
    ]
    card = {
        **_rates(summed),
        "bar": charts.split_bar(
            [(name, 100 * value / visits, color, format_number(value)) for name, value, color in parts],
            title=_("Outcomes of the day's visits: answered, vacant or not a dwelling, no answer"),
            hatch_id="visits-hatch",
        ),
        "legend": [(name, format_number(value)) for name, value, _color in parts],
        "outcomes": [
            (DailyNonResponse._meta.get_field(field).verbose_name, format_number(summed[field]))
            for field in NON_RESPONSE_FIELDS
            if field not in ("assigned", "visits", "outstanding", "revisits_scheduled", "revisits_made")
        ],
        "districts": [],
    }
    if areas is not None:
        by_district = []
        for row in rows.select_related("district"):
            figures = {field: getattr(row, field) for field in NON_RESPONSE_FIELDS}
            by_district.append({"area": areas[row.district_id], **_rates(figures)})
        # Highest non-response first: where the door-to-door work is stuck; no rate (no dwelling visited) last.
        by_district.sort(key=lambda d: (d["non_response"] is None, -(d["non_response"] or 0), d["area"].sort_name))
        card["districts"] = by_district
    return card
