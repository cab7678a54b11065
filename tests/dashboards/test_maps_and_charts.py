"""Server-side charts and maps: well-formed SVG within the CSP, tile positions, and the boundary import."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command

from regions import boundaries
from reports import charts, maps
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
    assert len(parse(bars).findall(f"{SVG}rect")) == 3


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
