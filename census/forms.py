"""Forms for daily entry: one district's day, the region grid, a district's status, a file import.

Figures are taken as text and judged by census.services.record_count(), so the
messages are the service's (in the reader's language) and a wrong entry is
shown back exactly as typed.
"""

import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from census.models import REASON_MAX_LENGTH, DailyNonResponse, DistrictStatus, StaffRole
from census.nonresponse import NON_RESPONSE_FIELDS
from census.services import EntryMode

MODE_CHOICES = [(EntryMode.DAILY, _("the day's figures")), (EntryMode.CUMULATIVE, _("totals as of the day"))]
FIGURE_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "class": "figure"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker always speaks ISO, whatever the page's language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class HiddenDateInput(DateInput):
    """A day a page was loaded for, sent back with the form: ISO, whatever the page's language."""

    input_type = "hidden"


# The days a form takes: wide enough for any census, narrow enough that the day before or after (the pages'
# arrows, the previous day's figures) is still a date Python can hold; 0001-01-01 minus a day is an error.
FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2999, 12, 31)


class CensusDateField(forms.DateField):
    """A date between FIRST_DATE and LAST_DATE, with the browser's ISO date picker."""

    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            raise ValidationError(
                _("%(date)s is outside the dates the census can have (%(first)s to %(last)s)."),
                code="out_of_range",
                params={"date": value.isoformat(), "first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
            )


class SignInForm(AuthenticationForm):
    """Django's sign-in form; django-axes counts its failures by username and address."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class DayForm(forms.Form):
    """Which day (and entry mode) a page shows: the query string of the grid and the district page."""

    date = CensusDateField(label=_("Date"))
    mode = forms.ChoiceField(label=_("Entry"), choices=MODE_CHOICES, initial=EntryMode.DAILY, required=False)

    def clean_mode(self):
        return self.cleaned_data.get("mode") or EntryMode.DAILY


CONFIRM_LABEL = _("The figures are right: save them although they fail a plausibility check (give the reason)")


class DistrictEntryForm(forms.Form):
    """One district's figures for one day; `version` is the row's version when the page was loaded (0: none yet).

    The day and mode are those the page was loaded for, carried hidden: another day or mode is another page
    (the day picker's GET), so figures and a version loaded for one day are never saved onto another.
    """

    date = CensusDateField(label=_("Date"), widget=HiddenDateInput)
    mode = forms.ChoiceField(label=_("Entry"), choices=MODE_CHOICES, widget=forms.HiddenInput, initial=EntryMode.DAILY)
    online = forms.CharField(label=_("Online"), required=False, max_length=30, widget=forms.TextInput(attrs=FIGURE_ATTRS))
    offline = forms.CharField(label=_("Door-to-door"), required=False, max_length=30, widget=forms.TextInput(attrs=FIGURE_ATTRS))
    reason = forms.CharField(
        label=_("Reason for a correction"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you change a past day or lower a figure."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    confirm_implausible = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class GridForm(forms.Form):
    """The region grid: the day and mode it was loaded for, and one reason for any corrections in it.

    The cells themselves are read from the POST by the view (two per district,
    named after its KATO code), because they are checked by the service, not here.
    """

    date = CensusDateField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(choices=MODE_CHOICES, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for corrections"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Needed when you change a past day or lower a figure; it is kept with every changed district."),
    )


class StatusForm(forms.Form):
    """A decision about a district's status, effective from a date."""

    status = forms.ChoiceField(label=_("Status"), choices=DistrictStatus.Status.choices)
    date = CensusDateField(label=_("Effective from"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    """A spreadsheet of counts to preview and then apply."""

    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )
    mode = forms.ChoiceField(label=_("The figures are"), choices=MODE_CHOICES, widget=forms.RadioSelect, initial=EntryMode.DAILY)
    reason = forms.CharField(
        label=_("Reason for corrections"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Used for every row that changes a past day, unless the file has a reason column."),
    )
    confirm_implausible = forms.BooleanField(label=CONFIRM_LABEL, required=False)


def default_day(today: datetime.date, first: datetime.date, last: datetime.date) -> datetime.date:
    """The day a page opens on: today inside the campaign, else the campaign's nearest end."""
    return min(max(today, first), last)


class StaffingDayForm(forms.Form):
    """One district's staffing on one day: how many on duty by role and how many of them vaccinated (never names).

    As for counts, the figures are taken as text and judged by census.staffing.record_staffing(), and the day
    the page was loaded for is carried hidden with the version it was drawn from (0: no row yet).
    """

    date = CensusDateField(label=_("Date"), widget=HiddenDateInput)
    interviewers = forms.CharField(
        label=_("Interviewers on duty"), required=False, max_length=30, widget=forms.TextInput(attrs=FIGURE_ATTRS)
    )
    instructors = forms.CharField(
        label=_("Instructor-controllers on duty"), required=False, max_length=30, widget=forms.TextInput(attrs=FIGURE_ATTRS)
    )
    volunteers = forms.CharField(
        label=_("Volunteers on duty"), required=False, max_length=30, widget=forms.TextInput(attrs=FIGURE_ATTRS)
    )
    vaccinated = forms.CharField(
        label=_("Vaccinated on duty"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs=FIGURE_ATTRS),
        help_text=_("Of everyone on duty that day, volunteers included."),
    )
    reason = forms.CharField(
        label=_("Reason for a correction"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you change a past day or lower a figure."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class NonResponseDayForm(forms.Form):
    """One district's door-to-door visits on one day and how they ended, in households (never addresses or people).

    The figures are taken as text and judged by census.nonresponse.record_non_response(); the day the page was
    loaded for is carried hidden with the version it was drawn from (0: no row yet).
    """

    date = CensusDateField(label=_("Date"), widget=HiddenDateInput)
    reason = forms.CharField(
        label=_("Reason for a correction"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you change a past day or lower a figure."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in NON_RESPONSE_FIELDS:
            label = DailyNonResponse._meta.get_field(field).verbose_name
            self.fields[field] = forms.CharField(
                label=capfirst(label), required=False, max_length=30, widget=forms.TextInput(attrs=FIGURE_ATTRS)
            )

    def figure_fields(self, names):
        return [self[name] for name in names]


class StaffingPlanForm(forms.Form):
    """A new version of a district's staffing plan for one role, in force from a day on."""

    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)
    planned = forms.CharField(label=_("Planned"), max_length=30, widget=forms.TextInput(attrs=FIGURE_ATTRS))
    valid_from = CensusDateField(label=_("Valid from"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
