"""Admin for the census: every write goes through census.services, so it is validated and audited like any other."""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from census import nonresponse, service_points, services, staffing
from census.contention import retry_on_contention
from census.errors import CountConflict, WriteContended
from census.forms import FIRST_DATE, LAST_DATE
from census.models import (
    AuditEntry,
    Campaign,
    DailyCount,
    DailyNonResponse,
    DailyStaffing,
    DistrictStatus,
    Phase,
    PhaseExtension,
    ServicePoint,
    ServicePointUse,
    StaffingPlan,
)
from census.units import set_baseline
from regions.admin import ChangeListGuard, NamedCellsInline
from regions.models import PopulationBaseline

ADMIN = AuditEntry.Source.ADMIN
# The years a change list can be filtered by (?date__year=, the date drill-down): the years the entry forms
# take. Near Python's limits the filter cannot be built at all: the drill-down asks for the next year's first
# day (none after 9999), and year 1 in Almaty's time zone starts in year 0 in UTC.
FILTER_YEARS = range(FIRST_DATE.year, LAST_DATE.year + 1)


class CensusModelAdmin(ChangeListGuard):
    """The project's admin pages: a change list whose filter or search holds a NUL character is refused as unusable,
    and so is a year no date can have (?date__year=99999 or 0), which Python cannot turn into a date, with a message saying so.
    """

    filter_years = FILTER_YEARS


class ReadOnlyAdmin(CensusModelAdmin):
    """For records that only services write: visible, never edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceForm(forms.ModelForm):
    """A model form whose save is a service call, made in clean() so that the service's errors show on the form.

    The admin wraps the whole request in a transaction, so nothing is left
    behind if a later step fails.
    """

    def call_service(self, data):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.saved = self.call_service(data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            # A message about a field the form does not show (read-only when editing) goes on top of the form.
            errors = defaultdict(list)
            for field, messages in exc.message_dict.items():
                errors[field if field in self.fields else NON_FIELD_ERRORS].extend(messages)
            raise ValidationError(dict(errors)) from exc
        return data

    def validate_unique(self):
        # The service validated and saved the record: checked again here, it would be a duplicate of itself.
        pass

    def validate_constraints(self):
        pass

    def save(self, commit=True):
        return self.saved

    def save_m2m(self):
        pass


class ServiceAdmin(CensusModelAdmin):
    """Admin whose form saves through a service; records are never deleted, and append-only ones never edited."""

    append_only = True

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The service records who made the change; the form class is built per request, so this stays with it.
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        if self.append_only and obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def changeform_view(self, request, *args, **kwargs):
        # The admin runs the form (and so the service, from clean()) in a transaction of its own, and only the
        # outermost transaction can run again after a deadlock: the whole form is retried here. If it keeps losing,
        # the person is told so on the page, never a 500, and nothing was saved.
        try:
            return retry_on_contention(super().changeform_view)(request, *args, **kwargs)
        except WriteContended as busy:
            self.message_user(request, busy.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        # Accepted data is never lost: a wrong figure is corrected, with a reason, and history keeps both.
        return False


class DailyCountForm(ServiceForm):
    mode = forms.ChoiceField(
        label=_("entry mode"), choices=[("daily", _("daily numbers")), ("cumulative", _("cumulative totals"))]
    )
    reason = forms.CharField(label=_("reason for a correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = DailyCount
        fields = ["campaign", "district", "date", "online", "offline", "version"]
        widgets = {"version": forms.HiddenInput}

    def call_service(self, data):
        if self.instance.pk:
            # Editing: campaign, district and date are read-only, and the version is the one the form was opened at.
            row = self.instance
            data = {**data, "campaign": row.campaign, "district": row.district, "date": row.date}
            expected_version = data["version"]
        else:
            # Adding: the person saw no row for that day, so one entered meanwhile is a conflict, not overwritten.
            expected_version = 0
        try:
            return services.record_count(
                campaign=data["campaign"], district=data["district"], date=data["date"], online=data["online"],
                offline=data["offline"], mode=data["mode"], reason=data["reason"], user=self.request_user, source=ADMIN,
                expected_version=expected_version,
            ).count  # fmt: skip
        except CountConflict as exc:
            raise ValidationError(
                _("Someone changed this day while you were editing: it now reads online %(online)s, door-to-door %(offline)s.")
                % {"online": exc.current.online, "offline": exc.current.offline}
            ) from exc


@admin.register(DailyCount)
class DailyCountAdmin(ServiceAdmin):
    form = DailyCountForm
    append_only = False
    list_display = ["district", "date", "online", "offline", "version", "updated_at", "updated_by"]
    list_filter = ["campaign", "district__region", "date"]
    search_fields = ["district__kato", "district__name_ru", "district__name_kk", "district__name_en"]
    date_hierarchy = "date"
    list_select_related = ["district", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "district", "date"] if obj else []


class StatusForm(ServiceForm):
    class Meta:
        model = DistrictStatus
        fields = ["campaign", "district", "status", "date", "note"]

    def call_service(self, data):
        return services.set_status(
            campaign=data["campaign"], district=data["district"], status=data["status"], date=data["date"],
            note=data.get("note", ""), user=self.request_user, source=ADMIN,
        )  # fmt: skip


@admin.register(DistrictStatus)
class DistrictStatusAdmin(ServiceAdmin):
    form = StatusForm
    list_display = ["district", "status", "date", "set_by", "set_at"]
    list_filter = ["campaign", "status", "district__region"]


class ExtensionForm(ServiceForm):
    class Meta:
        model = PhaseExtension
        fields = ["phase", "region", "ends_on", "decided_on", "reason"]

    def call_service(self, data):
        return services.extend_phase(
            phase=data["phase"], ends_on=data["ends_on"], decided_on=data["decided_on"], reason=data["reason"],
            region=data.get("region"), user=self.request_user, source=ADMIN,
        )  # fmt: skip


@admin.register(PhaseExtension)
class PhaseExtensionAdmin(ServiceAdmin):
    form = ExtensionForm
    list_display = ["phase", "region", "ends_on", "decided_on", "created_by"]
    list_filter = ["phase__campaign", "phase__kind"]


class PhaseInline(NamedCellsInline):
    model = Phase
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(CensusModelAdmin):
    list_display = ["slug", "name", "starts_on", "online_channels"]
    inlines = [PhaseInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "source", "subject", "district", "date", "changes", "reason_shown"]
    list_filter = ["source", "subject", "campaign", "district__region"]
    search_fields = ["district__kato", "district__name_ru", "reason", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "district"]

    @admin.display(description=_("reason"), ordering="reason")
    def reason_shown(self, entry: AuditEntry) -> str:
        # The application's own notes in the reader's language (AuditEntry.reason_text), as the other pages show them.
        return entry.reason_text


class BaselineForm(ServiceForm):
    class Meta:
        model = PopulationBaseline
        fields = ["district", "campaign", "population", "as_of", "source"]
        widgets = {"source": forms.TextInput}

    def call_service(self, data):
        return set_baseline(
            district=data["district"], campaign=data["campaign"], population=data["population"], as_of=data["as_of"],
            note=data.get("source", ""), user=self.request_user, source=AuditEntry.Source.ADMIN,
        )  # fmt: skip


@admin.register(PopulationBaseline)
class PopulationBaselineAdmin(ServiceAdmin):
    """Baselines are versions: a change is a new row, so rows are added here, never edited.

    Registered here, not in regions.admin: a baseline belongs to a campaign and is written by census.units.
    """

    form = BaselineForm
    list_display = ["district", "campaign", "population", "as_of", "source", "created_at", "created_by"]
    list_filter = ["campaign", "district__region"]


class StaffingPlanForm(ServiceForm):
    class Meta:
        model = StaffingPlan
        fields = ["campaign", "district", "role", "planned", "valid_from", "note"]

    def call_service(self, data):
        return staffing.set_staffing_plan(
            campaign=data["campaign"], district=data["district"], role=data["role"], planned=data["planned"],
            valid_from=data["valid_from"], note=data.get("note", ""), user=self.request_user, source=ADMIN,
        ).plan  # fmt: skip


@admin.register(StaffingPlan)
class StaffingPlanAdmin(ServiceAdmin):
    """Plans are versions, like baselines: a change is a new row, added here, never edited or deleted."""

    form = StaffingPlanForm
    list_display = ["district", "role", "planned", "valid_from", "note", "created_at", "created_by"]
    list_filter = ["campaign", "role", "district__region"]
    search_fields = ["district__kato", "district__name_ru", "district__name_kk", "district__name_en"]
    list_select_related = ["district", "created_by"]


class DailyStaffingForm(ServiceForm):
    reason = forms.CharField(label=_("reason for a correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = DailyStaffing
        fields = ["campaign", "district", "date", "interviewers", "instructors", "volunteers", "vaccinated", "version"]
        widgets = {"version": forms.HiddenInput}

    def call_service(self, data):
        if self.instance.pk:
            row = self.instance
            data = {**data, "campaign": row.campaign, "district": row.district, "date": row.date}
            expected_version = data["version"]
        else:
            expected_version = 0
        try:
            return staffing.record_staffing(
                campaign=data["campaign"], district=data["district"], date=data["date"],
                interviewers=data["interviewers"], instructors=data["instructors"], volunteers=data["volunteers"],
                vaccinated=data["vaccinated"], reason=data["reason"], user=self.request_user, source=ADMIN,
                expected_version=expected_version,
            ).staffing  # fmt: skip
        except CountConflict as exc:
            raise ValidationError(_("Someone changed this day while you were editing; open it again.")) from exc


@admin.register(DailyStaffing)
class DailyStaffingAdmin(ServiceAdmin):
    form = DailyStaffingForm
    append_only = False
    list_display = ["district", "date", "interviewers", "instructors", "volunteers", "vaccinated", "version", "updated_at"]
    list_filter = ["campaign", "district__region", "date"]
    search_fields = ["district__kato", "district__name_ru", "district__name_kk", "district__name_en"]
    date_hierarchy = "date"
    list_select_related = ["district", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "district", "date"] if obj else []


class ServicePointForm(ServiceForm):
    class Meta:
        model = ServicePoint
        fields = ["campaign", "district", *service_points.POINT_FIELDS, "version"]
        widgets = {"version": forms.HiddenInput}

    def call_service(self, data):
        point = self.instance if self.instance.pk else None
        campaign, district = (point.campaign, point.district) if point else (data["campaign"], data["district"])
        try:
            return service_points.save_service_point(
                campaign=campaign, district=district, point=point, values=data, user=self.request_user, source=ADMIN,
                expected_version=data["version"] if point else None,
            )  # fmt: skip
        except CountConflict as exc:
            raise ValidationError(_("Someone changed this point while you were editing; open it again.")) from exc


@admin.register(ServicePoint)
class ServicePointAdmin(ServiceAdmin):
    """The registry of self-service points: changed here through the service, never deleted (a point closes on a day)."""

    form = ServicePointForm
    append_only = False
    list_display = ["name", "kind", "district", "active_from", "active_to", "public", "updated_at"]
    list_filter = ["campaign", "kind", "public", "district__region"]
    search_fields = ["name_kk", "name_ru", "name_en", "address", "district__kato", "district__name_ru", "district__name_kk"]
    list_select_related = ["district"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "district"] if obj else []


class ServicePointUseForm(ServiceForm):
    reason = forms.CharField(label=_("reason for a correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = ServicePointUse
        fields = ["campaign", "point", "date", "assisted", "version"]
        widgets = {"version": forms.HiddenInput}

    def call_service(self, data):
        row = self.instance if self.instance.pk else None
        if row:
            data = {**data, "campaign": row.campaign, "point": row.point, "date": row.date}
        try:
            return service_points.record_point_use(
                campaign=data["campaign"], point=data["point"], date=data["date"], assisted=data["assisted"],
                reason=data["reason"], user=self.request_user, source=ADMIN,
                expected_version=data["version"] if row else 0,
            ).use  # fmt: skip
        except CountConflict as exc:
            raise ValidationError(_("Someone changed this day while you were editing; open it again.")) from exc


@admin.register(ServicePointUse)
class ServicePointUseAdmin(ServiceAdmin):
    form = ServicePointUseForm
    append_only = False
    list_display = ["point", "district", "date", "assisted", "version", "updated_at"]
    list_filter = ["campaign", "district__region", "date"]
    search_fields = ["point__name_ru", "point__name_kk", "point__name_en", "district__kato"]
    date_hierarchy = "date"
    list_select_related = ["point", "district"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "point", "district", "date"] if obj else []


class DailyNonResponseForm(ServiceForm):
    reason = forms.CharField(label=_("reason for a correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = DailyNonResponse
        fields = ["campaign", "district", "date", *nonresponse.NON_RESPONSE_FIELDS, "version"]
        widgets = {"version": forms.HiddenInput}

    def call_service(self, data):
        row = self.instance if self.instance.pk else None
        if row:
            data = {**data, "campaign": row.campaign, "district": row.district, "date": row.date}
        try:
            return nonresponse.record_non_response(
                campaign=data["campaign"], district=data["district"], date=data["date"],
                figures={field: data[field] for field in nonresponse.NON_RESPONSE_FIELDS}, reason=data["reason"],
                user=self.request_user, source=ADMIN, expected_version=data["version"] if row else 0,
            ).row  # fmt: skip
        except CountConflict as exc:
            raise ValidationError(_("Someone changed this day while you were editing; open it again.")) from exc


@admin.register(DailyNonResponse)
class DailyNonResponseAdmin(ServiceAdmin):
    form = DailyNonResponseForm
    append_only = False
    list_display = ["district", "date", "visits", "interviewed", "door_closed", "refused", "no_notice", "outstanding", "version"]
    list_filter = ["campaign", "district__region", "date"]
    search_fields = ["district__kato", "district__name_ru", "district__name_kk", "district__name_en"]
    date_hierarchy = "date"
    list_select_related = ["district"]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "district", "date"] if obj else []
