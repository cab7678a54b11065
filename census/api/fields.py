"""Fields and query shapes the endpoints share: KATO codes, the languages, a range of days."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

KATO_PATTERN = r"^\d{9}$"
kato_format = RegexValidator(KATO_PATTERN, _("A KATO code is exactly nine digits."))
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def kato_field(help_text, **kwargs) -> serializers.CharField:
    return serializers.CharField(min_length=9, max_length=9, validators=[kato_format], help_text=help_text, **kwargs)


class DateRangeQuery(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD), inclusive.")
    date_to = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive.")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last day is before the first day.")]})
        return attrs
