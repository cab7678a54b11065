"""The region's PDF report as printed: text inside the page's margins, no table row alone on a page, no text over text.

Read with pypdf's content streams (tests/dashboards/pdf_layout.py): where each string lies on its page, from its
first glyph to its last. Checked on the demo region in kk, ru and en, on the briefing's day (27 Oct) and on the
campaign's last day (8 Nov), whose longer statuses and forecasts made the district table run past the margin.
"""

import io
import re
from itertools import pairwise

import pytest
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from census.formatting import format_whole_percent
from regions.models import District
from reports.maps import legend_buckets
from tests.dashboards.conftest import WKO
from tests.dashboards.pdf_layout import overlapping, text_runs, words

pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.pages]

MM = 72 / 25.4
SIDE_MARGIN = 14 * MM  # templates/reports/pdf/region.html: @page margin
FIGURE = re.compile(r"^[\d\s\u00a0\u202f.,]+$")


def report(client, lang: str, day: str) -> PdfReader:
    response = client.get(f"/{lang}/dashboard/{WKO}/report.pdf", {"as_of": day})
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content))


@pytest.mark.parametrize("day", ["2021-10-27", "2021-11-08"])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_text_of_the_report_lies_inside_the_margins_of_its_page(official_client, lang, day):
    # when the official downloads the region's report
    pdf = report(official_client, lang, day)

    # then no text starts or ends outside its page, nor sideways in the margin
    outside = []
    for number, page in enumerate(pdf.pages, start=1):
        box = page.mediabox
        left, right = float(box.left) + SIDE_MARGIN - 0.5, float(box.right) - SIDE_MARGIN + 0.5
        for run in words(text_runs(page)):
            if run.left < left or run.right > right or run.bottom < float(box.bottom) or run.top > float(box.top):
                outside.append(f"page {number}: {run.text!r} at x {run.left:.0f}–{run.right:.0f}, y {run.bottom:.0f}")
    assert len(pdf.pages) >= 2
    assert not outside, "\n".join(outside)


@pytest.mark.parametrize("day", ["2021-10-27", "2021-11-08"])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_district_table_never_leaves_one_row_alone_on_a_page(official_client, lang, day):
    # given the table's headings: its first column's, and the last word of "Baseline", whose right edge is that
    # column's (the figures align right)
    with translation.override(lang):
        heading = gettext("Baseline").split()[-1]
        district_heading = gettext("District")
    districts = District.objects.filter(region__kato=WKO).count()

    # when the official downloads the region's report
    pdf = report(official_client, lang, day)

    # then each page the table runs over holds two of its rows at least, and every district has its row
    rows_per_page = []
    for page in pdf.pages:
        runs = words(text_runs(page))
        first = [run for run in runs if run.text.strip() == district_heading and run.left < SIDE_MARGIN + 10]
        headings = [run for run in runs if run.text.strip() == heading and any(abs(run.bottom - f.bottom) < 25 for f in first)]
        if not headings:
            continue
        column = headings[0]
        rows_per_page.append(
            sum(1 for run in runs if run.top < column.bottom and abs(run.right - column.right) < 1 and FIGURE.match(run.text))
        )
    assert sum(rows_per_page) == districts
    assert min(rows_per_page) >= 2, rows_per_page


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_no_text_of_the_report_lies_over_another_on_the_briefings_day(official_client, lang):
    # when the official downloads the report of 27 October
    pdf = report(official_client, lang, "2021-10-27")

    # then no two strings cover each other (labels, legend, table, map)
    found = [
        f"page {number}: {one.text!r} over {other.text!r}"
        for number, page in enumerate(pdf.pages, start=1)
        for one, other in overlapping(words(text_runs(page)))
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_maps_legend_swatches_stay_small(official_client, lang):
    # given the map legend's labels in this language
    with translation.override(lang):
        labels = {label for label, _fill in legend_buckets(format_whole_percent)}

    # when the official downloads the report
    pdf = report(official_client, lang, "2021-10-27")

    # then the labels sit on one line, a small swatch apart (a swatch grown large pushed them up and down)
    found = [run for page in pdf.pages for run in words(text_runs(page)) if run.text.strip() in labels]
    assert {run.text.strip() for run in found} == labels
    assert max(run.bottom for run in found) - min(run.bottom for run in found) < 1
    found.sort(key=lambda run: run.left)
    assert all(later.left - earlier.right < 12 * MM for earlier, later in pairwise(found))
