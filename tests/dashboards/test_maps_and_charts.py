"""Server-side charts and maps: well-formed SVG within the CSP, tile positions, and the boundary import."""

import datetime
import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from regions import boundaries
from reports import charts, maps
from reports.dashboards.timeline import PhaseState, Timeline
from reports.models import RenderedDashboard
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 -- markup our own code just made


def no_style_anywhere(root: ET.Element) -> bool:
    return all("style" not in element.attrib and element.tag != f"{SVG}style" for element in root.iter())


def test_a_line_chart_is_well_formed_svg_with_its_title_target_and_no_style_attributes():
    axis = charts.percent_axis([10.0, 55.5, 104.0], lambda v: f"{v:.0f}%")

    svg = charts.line_chart(
        title="Coverage <Taskala> & co",
        labels=["01.09", "02.09", "03.09", "04.09"],
        series=[charts.Series("coverage", [10.0, 55.5, 104.0, None], charts.TOTAL)],
        axis=axis,
        markers=[charts.Marker(1, "door-to-door opens")],
        target=(100.0, "baseline"),
    )

    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Coverage <Taskala> & co"
    assert axis.high == 125  # above 100 when an area counted more than its baseline
    assert len(root.findall(f"{SVG}polyline")) == 1
    assert no_style_anywhere(root)


def test_a_gap_in_a_series_splits_its_line_instead_of_dropping_to_zero():
    svg = charts.line_chart(
        title="t",
        labels=["a", "b", "c", "d", "e"],
        series=[charts.Series("s", [1.0, 2.0, None, 4.0, 5.0], charts.TOTAL)],
        axis=charts.Axis(0, 10, [(0, "0"), (10, "10")]),
    )

    assert len(parse(svg).findall(f"{SVG}polyline")) == 2


def test_bars_sparklines_and_split_bars_are_well_formed():
    bars = charts.bar_chart(
        title="daily",
        labels=["a", "b"],
        series=[charts.Series("online", [5.0, None], charts.ONLINE), charts.Series("offline", [3.0, 2.0], charts.OFFLINE)],
        axis=charts.count_axis([8.0, 2.0], str),
    )
    spark = charts.sparkline([None, 10.0, 50.0, 101.0], title="trend")
    split = charts.split_bar([("online", 60.0, charts.ONLINE, "60%"), ("offline", 40.0, charts.OFFLINE, "40%")], title="split")

    for svg in (bars, spark, split):
        assert no_style_anywhere(parse(svg))
    assert len(parse(bars).findall(f"{SVG}rect")) == 3 + 2  # three bars, and a sample of each series in the legend


def test_event_labels_are_written_across_and_those_that_would_touch_go_on_separate_rows():
    # given three events on days next to each other, whose labels would overlap on one row
    labels = [f"{day:02d}.10" for day in range(1, 31)]
    markers = [charts.Marker(13, "online closes"), charts.Marker(14, "door-to-door closes"), charts.Marker(29, "as of")]

    # when
    root = parse(
        charts.line_chart(
            title="t",
            labels=labels,
            series=[charts.Series("s", [1.0] * 30, charts.TOTAL)],
            axis=charts.Axis(0, 10),
            markers=markers,
        )
    )

    # then no label is turned on its side, and no two labels share a row where they would touch
    texts = {t.text: t for t in root.iter(f"{SVG}text") if t.text in {m.label for m in markers}}
    assert set(texts) == {"online closes", "door-to-door closes", "as of"}
    assert not any("transform" in t.attrib for t in texts.values())

    def span(text):
        x, width = float(text.get("x")), charts.MARKER_SIZE * 0.62 * len(text.text)
        return (x - width, x) if text.get("text-anchor") == "end" else (x, x + width)

    placed = list(texts.values())
    for i, one in enumerate(placed):
        for other in placed[i + 1 :]:
            if one.get("y") == other.get("y"):
                (a0, a1), (b0, b1) = span(one), span(other)
                assert a1 <= b0 or b1 <= a0, (one.text, other.text)
    assert texts["online closes"].get("y") != texts["door-to-door closes"].get("y")
    # the last label ends left of its line instead of running off the chart
    assert texts["as of"].get("text-anchor") == "end"
    assert all(span(t)[1] <= 640 for t in placed)


def test_door_to_door_differs_from_online_by_a_pattern_as_well_as_colour():
    bars = parse(
        charts.bar_chart(
            title="daily",
            labels=["a", "b"],
            series=[
                charts.Series("online", [5.0, 4.0], charts.ONLINE),
                charts.Series("door-to-door", [3.0, 2.0], charts.OFFLINE, hatched=True),
            ],  # fmt: skip
            axis=charts.count_axis([8.0, 6.0], str),
            label_id="daily",
        )
    )
    split = parse(charts.split_bar([("online", 60.0, charts.ONLINE, "60%"), ("d", 40.0, charts.OFFLINE, "40%")], title="s"))

    for root, pattern in ((bars, "daily-hatch"), (split, "split-hatch")):
        assert root.find(f".//{SVG}pattern").get("id") == pattern
        fills = [r.get("fill") for r in root.findall(f"{SVG}rect")]
        assert f"url(#{pattern})" in fills and charts.ONLINE in fills


def test_coverage_colours_go_darker_with_coverage_and_grey_without_figures():
    assert maps.coverage_colours(None) == maps.NO_DATA
    fills = [maps.coverage_colours(value)[0] for value in (10, 60, 80, 90, 97, 100.6)]
    assert len(set(fills)) == 6
    assert maps.coverage_colours(100.6)[1] == "#ffffff"


@pytest.mark.parametrize(
    ("name", "short"),
    [("Таскалинский район", "Таскалинский"), ("Oral (Uralsk) city", "Oral"), ("район Бәйтерек", "Бәйтерек"),
     ("Бөкей ордасы ауданы", "Бөкей ордасы"), ("г.а. Уральск", "Уральск")],
)  # fmt: skip
def test_a_tile_shows_the_name_without_the_word_for_its_kind(name, short):
    assert maps.short_name(name) == short


def test_districts_take_their_own_position_then_the_regions_default_then_a_free_cell(db):
    # given: the demo region's tile map file names 271000000 and 276000000; a third district is new
    region = factories.RegionFactory(kato="270000000")
    placed = factories.DistrictFactory(region=region, kato="276000000")
    moved = factories.DistrictFactory(region=region, kato="271000000")
    moved.map_col, moved.map_row = 9, 9
    moved.save()
    new = factories.DistrictFactory(region=region, kato="279900000")

    # when
    positions = boundaries.tile_positions(region, [placed, moved, new])

    # then
    assert positions[placed.pk] == (1, 0)
    assert positions[moved.pk] == (9, 9)
    assert positions[new.pk] not in (positions[placed.pk], positions[moved.pk])
    assert positions[new.pk][1] == 10  # after the last row


def test_assigning_the_default_positions_stores_them_once(db):
    region = factories.RegionFactory(kato="270000000")
    district = factories.DistrictFactory(region=region, kato="276000000")

    assert boundaries.assign_tile_positions(region=region) == 1
    assert boundaries.assign_tile_positions(region=region) == 0
    district.refresh_from_db()
    assert (district.map_col, district.map_row) == (1, 0)


def square(lon: float, lat: float, size: float = 0.5) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(kato, geometry, key="KATO"):
    return {"type": "Feature", "properties": {key: kato, "name": "x"}, "geometry": geometry}


@pytest.fixture
def boundary_file(tmp_path):
    def write(data) -> str:
        path = tmp_path / "boundaries.geojson"
        path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
        return str(path)

    return write


def test_import_boundaries_stores_each_districts_geometry_and_reports_what_it_skipped(db, boundary_file, capsys):
    # given
    region = factories.RegionFactory(kato="270000000")
    first = factories.DistrictFactory(region=region, kato="276000000")
    second = factories.DistrictFactory(region=region, kato="271000000")
    campaign = factories.CampaignFactory()
    RenderedDashboard.objects.create(
        campaign=campaign, kind="region", kato=region.kato, as_of="2021-10-01", language="ru", html="old map",
        rendered_at="2021-10-01T12:00Z", source_computed_at="2021-10-01T12:00Z",
    )  # fmt: skip
    path = boundary_file(
        {
            "type": "FeatureCollection",
            "features": [
                feature("276000000", square(50.0, 51.0)),
                feature(271000000, {"type": "MultiPolygon", "coordinates": [square(51.0, 51.0)["coordinates"]]}),
                feature("279999999", square(52.0, 51.0)),
                feature("270000000", square(49.0, 49.0)),
                feature("273200000", {"type": "Point", "coordinates": [51.0, 50.0]}),
                {"type": "Feature", "properties": {}, "geometry": square(1, 1)},
            ],
        }
    )

    # when
    call_command("import_boundaries", path)

    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.boundary["type"] == "Polygon"
    assert second.boundary["type"] == "MultiPolygon"
    output = capsys.readouterr()
    assert "Boundaries stored for 2 districts; 4 features skipped." in output.out
    assert "279999999" in output.err and "270000000" in output.err and "273200000" in output.err
    # The region's stored pages are dropped, to be drawn again with the map.
    assert not RenderedDashboard.objects.filter(kato=region.kato).exists()


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        json.dumps({"type": "Feature", "geometry": None}),
        json.dumps([1, 2, 3]),
    ],
)
def test_import_boundaries_refuses_a_file_that_is_not_a_feature_collection_and_changes_nothing(db, boundary_file, content):
    district = factories.DistrictFactory(kato="276000000")

    with pytest.raises(CommandError):
        call_command("import_boundaries", boundary_file(content))

    district.refresh_from_db()
    assert district.boundary is None


def test_import_boundaries_refuses_coordinates_outside_the_globe(db, boundary_file, capsys):
    district = factories.DistrictFactory(kato="276000000")

    call_command(
        "import_boundaries", boundary_file({"type": "FeatureCollection", "features": [feature("276000000", square(250.0, 51.0))]})
    )

    district.refresh_from_db()
    assert district.boundary is None
    assert "skipped 276000000" in capsys.readouterr().err


def test_outlines_are_simplified_and_rounded_but_stay_closed_rings():
    # A square with 400 points along its sides, jittered by far less than the tolerance.
    ring = []
    for i in range(100):
        ring.append([50 + i / 100, 51 + (0.00001 if i % 2 else 0)])
    for i in range(100):
        ring.append([51, 51 + i / 100])
    for i in range(100):
        ring.append([51 - i / 100, 52])
    for i in range(100):
        ring.append([50, 52 - i / 100])
    ring.append(ring[0])

    cleaned = boundaries.clean_geometry({"type": "Polygon", "coordinates": [ring]})

    outline = cleaned["coordinates"][0]
    assert 4 <= len(outline) < 20
    assert outline[0] == outline[-1]


def test_the_boundary_svg_and_the_leaflet_data_carry_each_districts_coverage_and_link():
    tile = maps.Tile(kato="276000000", name="Taskala", label="Taskala", url="/en/d/", coverage=100.6, coverage_text="100.6%")
    shapes = [maps.Shape(tile=tile, geometry=square(50.0, 51.0))]

    svg = maps.boundary_svg(shapes, title="map")
    data = json.loads(maps.leaflet_geojson(shapes))

    root = parse(svg)
    assert no_style_anywhere(root)
    assert root.find(f"{SVG}a").get("href") == "/en/d/"
    assert data["features"][0]["properties"] == {
        "kato": "276000000", "name": "Taskala", "coverage": "100.6%", "fill": maps.coverage_colours(100.6)[0], "url": "/en/d/",
    }  # fmt: skip


def test_events_of_the_same_day_share_one_marker_and_one_label():
    # given online closing on the day door-to-door opens, and "as of" on door-to-door's last day
    first = datetime.date(2021, 9, 1)
    online = SimpleNamespace(kind="online", starts_on=first, ends_on=datetime.date(2021, 10, 1))
    door = SimpleNamespace(kind="door_to_door", starts_on=datetime.date(2021, 10, 1), ends_on=datetime.date(2021, 10, 30))
    as_of = datetime.date(2021, 10, 30)
    phases = [PhaseState(phase=p, end=p.ends_on, as_of=as_of) for p in (online, door)]
    days = [first + datetime.timedelta(days=i) for i in range(60)]

    # when
    with translation.override("en"):
        markers = Timeline(days=days, as_of=as_of, phases=phases).markers()

    # then one marker per day, its label naming every event of that day
    assert [(days[m.index], m.label) for m in markers] == [
        (first, "online opens"),
        (datetime.date(2021, 10, 1), "online closes, door-to-door opens"),
        (as_of, "door-to-door closes, as of"),
    ]
    assert markers[-1].color == charts.INK  # the "as of" day stands out
