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
