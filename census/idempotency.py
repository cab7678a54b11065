"""`Idempotency-Key` for API writes: a retry gets the first response back, and nothing is written twice."""

import datetime
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from census.models import ApiToken, IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A client retries within minutes; a day is ample, and keeps the table small.
KEY_LIFETIME = datetime.timedelta(hours=24)
# Headers of the first response that a replay repeats.
REPLAYED_HEADERS = ("ETag", "Location")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _owner(request) -> dict:
    if isinstance(request.auth, ApiToken):
        return {"token": request.auth}
    return {"user": request.user}


def request_hash(request) -> str:
    """The request as the key promises it: method, path and body (JSON key order does not matter)."""
    data = request.data
    if hasattr(data, "lists"):
        data = dict(data.lists())
    body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: IdempotentRequest, digest: str) -> Response:
    if stored.request_hash != digest:
        raise KeyReused(_("This Idempotency-Key was already used for a different request."))
    headers = {**stored.response_headers, "Idempotent-Replayed": "true"}
    return Response(stored.response_body, status=stored.status_code, headers=headers)


def _stored(owner: dict, key: str) -> IdempotentRequest | None:
    stored = IdempotentRequest.objects.filter(**owner, key=key).first()
    if stored is not None and stored.created_at < timezone.now() - KEY_LIFETIME:
        stored.delete()
        return None
    return stored


def idempotent(request, handle: Callable[[], Response]) -> Response:
    """Run `handle` once per Idempotency-Key; later requests with the key get its first successful response.

    The write and the stored response commit together, so a key is never stored
    for a write that rolled back, nor a write done without its key. Errors are
    not stored: nothing changed, and a retry is judged afresh.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return handle()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise exceptions.ValidationError(
            {HEADER: [_("Use up to %(length)s printable ASCII characters.") % {"length": MAX_KEY_LENGTH}]}
        )
    owner = _owner(request)
    digest = request_hash(request)
    try:
        with transaction.atomic():
            stored = _stored(owner, key)
            if stored is not None:
                return _replay(stored, digest)
            response = handle()
            if status.is_success(response.status_code):
                IdempotentRequest.objects.create(
                    **owner,
                    key=key,
                    request_hash=digest,
                    status_code=response.status_code,
                    response_body=response.data,
                    response_headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
                )
            return response
    except IntegrityError:
        # The same key arrived twice at once: the other request committed first and this one's write
        # rolled back with the failed insert, so the other's response is the answer.
        stored = _stored(owner, key)
        if stored is None:
            raise
        return _replay(stored, digest)


def valid_key(key) -> bool:
    return isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def key_error() -> str:
    return _("Use up to %(length)s printable ASCII characters.") % {"length": MAX_KEY_LENGTH}


def item_hash(request, item: dict) -> str:
    """One item of a batch as its key promises it: the endpoint and the item's fields (the key aside)."""
    body = json.dumps({name: value for name, value in item.items() if name != "key"}, sort_keys=True, default=str)
    return hashlib.sha256(f"ITEM {request.path}\n{body}".encode()).hexdigest()


def idempotent_item(request, item: dict, handle: Callable[[], tuple[dict, bool]]) -> dict:
    """Run `handle` once per item key (the item's own `key`, made on the device when it was saved).

    `handle` answers (result, keep): a result is kept under the key only when
    something was recorded or found already recorded, in the same transaction
    as the write, so a replay (sent again after a lost answer, or several times
    at once) gets the first result back and never writes twice. A refused or
    conflicting item is judged afresh when sent again.
    """
    key = item.get("key")
    owner = _owner(request)
    digest = item_hash(request, item)

    def replayed(stored: IdempotentRequest) -> dict:
        if stored.request_hash != digest:
            return {
                "key": key,
                "status": "rejected",
                "code": KeyReused.default_code,
                "errors": {"key": [_("This key was already used for a different entry.")]},
            }
        return {**stored.response_body, "replayed": True}

    # Twice at most: see the IntegrityError below.
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                stored = _stored(owner, key)
                if stored is not None:
                    return replayed(stored)
                result, keep = handle()
                if keep:
                    IdempotentRequest.objects.create(
                        **owner, key=key, request_hash=digest, status_code=status.HTTP_200_OK, response_body=result
                    )
                return result
        except IntegrityError:
            # The same item arrived twice at once: the other copy committed first and this one's write rolled
            # back with the failed insert of its key, so the other's result is the answer.
            stored = _stored(owner, key)
            if stored is not None:
                return replayed(stored)
            # Another writer created the same district-day meanwhile where nothing serialises writers of a
            # district (SQLite has no row locks): judged again, the item now finds that row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
