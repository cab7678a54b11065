"""What the API reads and writes: query parameters, resources and the one error shape."""

from decimal import ROUND_HALF_UP

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from census.models import REASON_MAX_LENGTH, DistrictStatus
from census.services import MAX_DAILY_VALUE, EntryMode
from regions.models import District, Region
from reports.models import CoverageSnapshot

KATO_PATTERN = r"^\d{9}$"
kato_format = RegexValidator(KATO_PATTERN, _("A KATO code is exactly nine digits."))
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def kato_field(help_text, **kwargs) -> serializers.CharField:
    return serializers.CharField(min_length=9, max_length=9, validators=[kato_format], help_text=help_text, **kwargs)


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


# --- The one error shape ------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers with, whatever its status."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text='A stable machine-readable code, e.g. "invalid", "not_found", "throttled".')
    detail = serializers.CharField(help_text="A message for people, in the language of the request.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field by field messages for invalid input (empty otherwise); non_field_errors for the request as a whole.",
    )


# --- Query parameters ---------------------------------------------------------------------------


class DateRangeQuery(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD), inclusive.")
    date_to = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive.")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last day is before the first day.")]})
        return attrs


class DistrictQuery(serializers.Serializer):
    region = kato_field("Only the districts of this region (KATO code).", required=False)


class DailyCountQuery(DateRangeQuery):
    district = kato_field("Only this district (KATO code).", required=False)
    region = kato_field("Only the districts of this region (KATO code).", required=False)


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


# --- Areas --------------------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of the request.")
    baseline = serializers.SerializerMethodField(help_text="Registered population of the current campaign, summed.")

    class Meta:
        model = Region
        fields = ["kato", "name", "name_kk", "name_ru", "name_en", "kind", "baseline"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_baseline(self, region) -> int | None:
        return self.context["baselines"].get(region.pk)


class DistrictSerializer(RegionSerializer):
    region = serializers.SlugRelatedField(slug_field="kato", read_only=True, help_text="KATO code of the region.")
    baseline = serializers.SerializerMethodField(help_text="Registered population in force for the current campaign.")

    class Meta:
        model = District
        fields = ["kato", "name", "name_kk", "name_ru", "name_en", "kind", "region", "baseline"]


# --- Daily counts -------------------------------------------------------------------------------


class DailyCountSerializer(serializers.Serializer):
    district = serializers.CharField(source="district_kato", help_text="KATO code of the district.")
    date = serializers.DateField()
    online = serializers.IntegerField(help_text="Counted online that day.")
    offline = serializers.IntegerField(help_text="Counted door to door that day.")
    online_cumulative = serializers.IntegerField(help_text="Online counted in the district up to and including that day.")
    offline_cumulative = serializers.IntegerField(help_text="Door to door counted up to and including that day.")
    version = serializers.IntegerField(help_text="Grows by one on every change; send it in If-Match to detect a stale write.")
    updated_at = serializers.DateTimeField()


class FigureField(serializers.IntegerField):
    """A count as the web forms take it: other scripts' digits ("٣٤", "３４") are not a number here, though int() reads them."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isascii():
            self.fail("invalid")
        return super().to_internal_value(data)


class DailyCountWriteSerializer(serializers.Serializer):
    district = kato_field("KATO code of the district.")
    date = serializers.DateField(help_text="The day counted (YYYY-MM-DD).")
    online = FigureField(
        min_value=0,
        max_value=MAX_DAILY_VALUE,
        help_text="The day's online figure, or the online total as of that day when mode is cumulative.",
        error_messages={"min_value": _("A count cannot be negative.")},
    )
    offline = FigureField(
        min_value=0,
        max_value=MAX_DAILY_VALUE,
        help_text="The day's door-to-door figure, or the door-to-door total as of that day when mode is cumulative.",
        error_messages={"min_value": _("A count cannot be negative.")},
    )
    mode = serializers.ChoiceField(
        choices=list(EntryMode.choices),
        default=EntryMode.DAILY,
        help_text="daily: the figures are the day's; cumulative: they are totals as of that day.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="Why, when the entry corrects figures already recorded (required then).",
    )


# --- Coverage -----------------------------------------------------------------------------------


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
        from reports.briefing import area_name

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


class BriefingSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="A press-ready paragraph in the language asked.")
    as_of = serializers.DateField(allow_null=True, help_text="The day the figures in the text are as of.")
    language = serializers.ChoiceField(choices=LANGUAGE_CODES)
