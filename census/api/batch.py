"""REST API v1: many district-days in one request, for devices that saved entries while offline and send them later.

Every item is its own transaction through the one write path (record_count),
carries its own idempotency key (made on the device when the entry was saved)
and the version it was entered against, and gets its own result: created,
updated, unchanged, conflict or rejected. One bad item never holds back the
others, and an item sent again (its answer lost, or sent by two tabs at once)
is written once.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from census.api.base import ApiView, acting_user, current_campaign, error_responses
from census.api.counts import DailyCountSerializer, DailyCountWriteSerializer, daily_counts_with_totals
from census.contention import retry_on_contention
from census.errors import CountConflict, Implausible, Rejected, WriteContended
from census.formatting import format_number
from census.idempotency import MAX_KEY_LENGTH, idempotent_item, key_error, valid_key
from census.models import ApiToken, AuditEntry, DailyCount
from census.services import EntryMode, record_count, record_device_sync
from regions.models import District

# Items per request: a day or two of one district's entries, or a grid of a region's districts, with room to spare.
MAX_ITEMS = 200
STATUSES = ("created", "updated", "unchanged", "conflict", "rejected")


class BatchItemSerializer(DailyCountWriteSerializer):
    key = serializers.CharField(
        max_length=MAX_KEY_LENGTH,
        help_text="Made on the device when the entry was saved, unique per entry: an item sent again with it is written once.",
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text=(
            "The record's version the entry was made against (0: no record yet). When the record has moved on "
            "since, the item is a conflict and nothing is written. Left out: the entry replaces whatever is there."
        ),
    )
    saved_at = serializers.DateTimeField(
        required=False,
        help_text=(
            "When the entry was saved on the device: how long it waited there shows on the device sync health page, "
            "and a change to a day that was still today then is not a correction (no reason needed)."
        ),
    )


class BatchRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=MAX_ITEMS,
        help_text=f"Up to {MAX_ITEMS} entries; each is checked and saved on its own (see BatchItem).",
    )


class BatchResultSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="The item's key, to match the result to the entry.")
    status = serializers.ChoiceField(choices=STATUSES)
    code = serializers.CharField(
        required=False,
        help_text="Why an item was rejected: invalid, implausible, out_of_scope, idempotency_key_reused, write_contended "
        "(nothing changed; send it again).",
    )
    record = DailyCountSerializer(required=False, help_text="The record as it stands after the item (or now, on conflict).")
    replayed = serializers.BooleanField(
        required=False, help_text="The item was already saved with this key; nothing changed now."
    )
    warnings = serializers.ListField(child=serializers.DictField(), required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False, help_text="Messages by field."
    )
    checks = serializers.ListField(child=serializers.DictField(), required=False, help_text="Failed plausibility checks.")
    entered = serializers.DictField(required=False, help_text="On conflict: the figures as entered, and their version.")
    message = serializers.CharField(required=False, help_text="On conflict: both values, for people.")


class BatchAnswerSerializer(serializers.Serializer):
    results = BatchResultSerializer(many=True, help_text="One per item, in the order sent.")


def _messages(detail) -> dict[str, list[str]]:
    return {str(field): [str(message) for message in messages] for field, messages in detail.items()}


@extend_schema(
    summary="Record many district-days at once (entries saved on a device while offline)",
    description=(
        "Each item is checked and saved on its own, in its own transaction, through the same service as the web "
        "forms and the single write; the answer has one result per item, in the order sent: `created`, `updated`, "
        "`unchanged`, `conflict` (the record changed since `version`: both values are given, nothing is written) or "
        "`rejected` (messages by field, and the failed plausibility checks). An item sent again with its `key` gets "
        "its first result back with `replayed` and writes nothing. Districts outside the caller's area are rejected."
    ),
    request=BatchRequestSerializer,
    responses={200: BatchAnswerSerializer, **error_responses(400, 401, 403, 429)},
)
class DailyCountBatchView(ApiView):
    queryset = DailyCount.objects.all()

    def post(self, request):
        body = BatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = body.validated_data["items"]
        campaign = current_campaign()
        results: list[dict | None] = [None] * len(items)
        # Each district's days in date order, whatever order they came in: an entry of cumulative totals
        # subtracts the days before it, so D must be in before D+1 is turned into a day's figures.
        order = sorted(range(len(items)), key=lambda i: (str(items[i].get("district")), str(items[i].get("date"))))
        waits = []
        now = timezone.now()
        for index in order:
            results[index], saved_at = self._item(request, items[index], campaign)
            if saved_at is not None:
                # A device clock running ahead would make a negative wait; it waited no time at all then.
                waits.append(max(now - saved_at, datetime.timedelta(0)))
        record_device_sync(
            user=acting_user(request),
            token=request.auth if isinstance(request.auth, ApiToken) else None,
            outcomes=[result["status"] for result in results if result is not None],
            longest_wait=max(waits, default=None),
        )
        return Response({"results": results})

    def _item(self, request, raw: dict, campaign) -> tuple[dict, datetime.datetime | None]:
        """The item's result, and when it was saved on the device (None when unknown)."""
        key = raw.get("key")
        if not valid_key(key):
            return {"key": key if isinstance(key, str) else None, "status": "rejected", "code": "invalid",
                    "errors": {"key": [key_error()]}}, None  # fmt: skip
        item = BatchItemSerializer(data=raw)
        if not item.is_valid():
            return {"key": key, "status": "rejected", "code": "invalid", "errors": _messages(item.errors)}, None
        values = item.validated_data
        return self._checked(request, key, values, raw, campaign), values.get("saved_at")

    def _checked(self, request, key: str, values: dict, raw: dict, campaign) -> dict:
        district = District.objects.select_related("region").filter(kato=values["district"]).first()
        if district is None:
            message = _("No district has the KATO code %(kato)s.") % {"kato": values["district"]}
            return {"key": key, "status": "rejected", "code": "invalid", "errors": {"district": [message]}}
        if not self.scope.may_change(district):
            message = _("This district is outside the area you may change.")
            return {"key": key, "status": "rejected", "code": "out_of_scope", "errors": {"district": [message]}}
        if campaign is None:
            message = _("There is no census campaign to record counts for.")
            return {"key": key, "status": "rejected", "code": "invalid", "errors": {"date": [message]}}
        try:
            # Retried as a whole, key and write together: only the outermost transaction can run again after a deadlock.
            return retry_on_contention(idempotent_item)(
                request, raw, lambda: self._record(request, key, values, district, campaign)
            )
        except WriteContended as busy:
            return {"key": key, "status": "rejected", "code": "write_contended", "errors": {"non_field_errors": [busy.message]}}

    def _record(self, request, key: str, values: dict, district: District, campaign) -> tuple[dict, bool]:
        """The item through record_count: (its result, whether to keep the result under its key)."""
        try:
            result = record_count(
                campaign=campaign,
                district=district,
                date=values["date"],
                online=values["online"],
                offline=values["offline"],
                mode=values["mode"],
                reason=values["reason"],
                user=acting_user(request),
                source=AuditEntry.Source.API,
                expected_version=values.get("version"),
                confirm_implausible=values["confirm_implausible"],
                entered_on=timezone.localdate(values["saved_at"]) if values.get("saved_at") else None,
            )
        except Implausible as refused:
            return {"key": key, "status": "rejected", "code": "implausible", "errors": refused.message_dict,
                    "checks": [check.as_json() for check in refused.checks]}, False  # fmt: skip
        except Rejected as refused:
            return {"key": key, "status": "rejected", "code": "invalid", "errors": refused.message_dict}, False
        except CountConflict as conflict:
            return self._conflict(key, values, conflict.current, campaign)
        record = _record_data(result.count, campaign)
        status = "created" if result.created else "updated" if result.changed else "unchanged"
        return {"key": key, "status": status, "record": record, "warnings": [c.as_json() for c in result.warnings]}, True

    def _conflict(self, key: str, values: dict, current: DailyCount | None, campaign) -> tuple[dict, bool]:
        record = _record_data(current, campaign) if current is not None else None
        entered = {
            "online": values["online"],
            "offline": values["offline"],
            "mode": values["mode"],
            "version": values.get("version"),
        }
        if record is not None:
            prefix = "_cumulative" if values["mode"] == EntryMode.CUMULATIVE else ""
            if (record[f"online{prefix}"], record[f"offline{prefix}"]) == (values["online"], values["offline"]):
                # The record already holds exactly this entry (the first send landed, its answer was lost).
                return {"key": key, "status": "unchanged", "record": record, "warnings": []}, True
        message = (
            _(
                "Someone else changed this day meanwhile: it now holds %(online)s online and %(offline)s door-to-door; "
                "you entered %(mine_online)s and %(mine_offline)s."
            )  # fmt: skip
            % {
                "online": format_number(record["online"] if record else 0),
                "offline": format_number(record["offline"] if record else 0),
                "mine_online": format_number(values["online"]),
                "mine_offline": format_number(values["offline"]),
            }
        )
        answer = {"key": key, "status": "conflict", "entered": entered, "message": message}
        if record is not None:
            answer["record"] = record
        return answer, False


def _record_data(row: DailyCount, campaign) -> dict:
    # Read in the item's own transaction, while the district is locked: after commit it could show another writer's value.
    with transaction.atomic():
        found = daily_counts_with_totals(DailyCount.objects.filter(pk=row.pk), campaign=campaign, date_from=row.date).get()
    return dict(DailyCountSerializer(found).data)
