"""What the coverage endpoints read and answer: query parameters, one area's figures, highlights, the briefing."""

from decimal import ROUND_HALF_UP

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from census.api.fields import LANGUAGE_CODES, DateRangeQuery, kato_field
from census.models import DistrictStatus
from reports.briefing import area_name
from reports.models import CoverageSnapshot


def percent_field(help_text) -> serializers.DecimalField:
    # Snapshots store percentages already rounded half up; the field keeps that rounding and emits a JSON number.
    return serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        coerce_to_string=False,
        rounding=ROUND_HALF_UP,
        allow_null=True,
        read_only=True,
        help_text=help_text,
    )


class CoverageQuery(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=[CoverageSnapshot.Level.REGION, CoverageSnapshot.Level.DISTRICT, CoverageSnapshot.Level.COUNTRY],
        default=CoverageSnapshot.Level.REGION,
        required=False,
        help_text="Regions (default), districts, or the country as a whole.",
    )
    region = kato_field("Only this region, or the districts of this region (KATO code).", required=False)
    date = serializers.DateField(
        required=False,
        help_text="Figures as of the end of this day (YYYY-MM-DD); default today. "
        "An area with no figures for that day shows its last earlier day (see as_of).",
    )


class SeriesQuery(DateRangeQuery):
    kato = kato_field("The area: a district, a region, or 000000000 for the country.")


class HighlightsQuery(serializers.Serializer):
    region = kato_field(
        "The region (KATO code); default the token's region, or the whole country for a country-wide token.", required=False
    )
    date = serializers.DateField(required=False, help_text="As of the end of this day (YYYY-MM-DD); default today.")


class BriefingQuery(HighlightsQuery):
    lang = serializers.ChoiceField(
        choices=LANGUAGE_CODES, required=False, help_text="Language of the text; default from Accept-Language."
    )


class CoverageSerializer(serializers.Serializer):
    """One area's cumulative figures at the end of a day, as the coverage jobs computed them."""

    kato = serializers.CharField()
    name = serializers.SerializerMethodField(help_text="The area's name in the language of the request.")
    level = serializers.ChoiceField(choices=CoverageSnapshot.Level.choices)
    region = serializers.SerializerMethodField(help_text="KATO code of the region the area lies in (null for the country).")
    baseline = serializers.IntegerField(help_text="Registered population.")
    online = serializers.IntegerField(help_text="Counted online, cumulative.")
    offline = serializers.IntegerField(help_text="Counted door to door, cumulative.")
    total = serializers.IntegerField(help_text="online + offline.")
    coverage_pct = percent_field("total / baseline, in percent, one decimal rounded half up; not capped at 100.")
    online_pct = percent_field("online / baseline, in percent.")
    offline_pct = percent_field("offline / baseline, in percent.")
    status = serializers.SerializerMethodField(help_text="The district's status decided for that day (null for roll-ups).")
    flags = serializers.ListField(child=serializers.CharField(), help_text='e.g. "over_100", "jump", "total_fell", "silent".')
    as_of = serializers.DateField(source="date", help_text="The day these figures are as of (end of day).")
    computed_at = serializers.DateTimeField(help_text="When the coverage job computed them.")

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, snapshot) -> str:
        return area_name(snapshot)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_region(self, snapshot) -> str | None:
        if snapshot.district_id is not None:
            return snapshot.district.region.kato
        return snapshot.region.kato if snapshot.region_id is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=DistrictStatus.Status.choices, allow_null=True))
    def get_status(self, snapshot) -> str | None:
        return snapshot.status or None


class HighlightsSerializer(serializers.Serializer):
    region = serializers.CharField(allow_null=True, help_text="KATO code of the region (null: the whole country).")
    as_of = serializers.DateField(allow_null=True, help_text="The day the highlights are as of (null: no figures yet).")
    coverage_leader = CoverageSerializer(allow_null=True, help_text="The district with the highest coverage.")
    online_leader = CoverageSerializer(allow_null=True, help_text="The district with the highest online participation.")
    completed = CoverageSerializer(many=True, help_text="Districts whose census is completed (early or on time).")
    nearly_complete = CoverageSerializer(many=True, help_text="Districts decided to be nearly complete.")
    lagging = CoverageSerializer(
        many=True, help_text="Districts still in progress whose coverage is below the area's, lowest first."
    )
    over_100 = CoverageSerializer(many=True, help_text="Districts counted above their registered population (to review).")
    regions_reporting = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "The country only (null for a region): how many regions have figures. Until it equals regions_of, the "
            "country's figures are over the reporting regions only, not the whole country."
        ),
    )
    regions_of = serializers.IntegerField(
        allow_null=True, help_text="The country only (null for a region): how many regions there are."
    )


class BriefingSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text=(
            "A press release in the language asked: a headline, the paragraph and the source line, separated by blank lines."
        )
    )
    as_of = serializers.DateField(allow_null=True, help_text="The day the figures in the text are as of.")
    language = serializers.ChoiceField(choices=LANGUAGE_CODES)
