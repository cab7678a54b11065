"""What readers are served from the cache: the read generation, anonymous pages whole, stored-page lookups, API data.

Everything a reader sees is derived from the coverage snapshots and the stored
pages, and those change only in the coverage and render jobs. So every cached
read is keyed by one generation number that those jobs bump once their work is
committed (reports/outbox.py after a recompute, reports/dashboards/store.py
after storing pages, the nightly recompute): a bump makes every earlier entry
unreachable at once, with no list of keys to delete. Entries also carry the
day (the latest figures and the API's default date change at midnight), the
language and, for anything scoped, the reader's scope, so no reader is ever
served another's view. A short expiry (READ_CACHE_SECONDS) bounds whatever a
bump could not reach, e.g. an area renamed in the admin.

The generation is a random value, not a counter: a generation lost with the
cache (evicted, Redis restarted) is replaced by a new value, never by an old one
whose entries might still be stored (nor by the same one under a frozen clock). With Redis unreachable the cache keeps nothing
(census/redis_outage.py) and every read is computed, as before.
"""

import hashlib
import re
import time
import uuid

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from census.access import scope_of

GENERATION_KEY = "census:read-generation"
# How long an entry may be served at most, whatever the jobs did (they bump the generation when they change data).
READ_CACHE_SECONDS = 300
# How long a browser or a proxy may reuse an anonymous page without asking: short, so a new count shows within it.
PUBLIC_MAX_AGE = 30


# A process asks the shared cache for the generation at most this often, and keeps the entries of the
# generation it knows in its own memory too: a read then costs no round trip to Redis at all. A bump made in
# another process (the worker) so reaches readers within this many seconds, well inside the entry-to-dashboard bound.
GENERATION_RECHECK_SECONDS = 1.0
MEMORY_ENTRIES = 512
_known = {"generation": "", "checked_at": -GENERATION_RECHECK_SECONDS}
_memory: dict[str, tuple[float, object]] = {}


def _remember(generation_now: str) -> str:
    if generation_now != _known["generation"]:
        _memory.clear()
    _known.update(generation=generation_now, checked_at=time.monotonic())
    return generation_now


def generation() -> str:
    """The current read generation (made now if the cache has none)."""
    if time.monotonic() - _known["checked_at"] < GENERATION_RECHECK_SECONDS:
        return _known["generation"]
    current = cache.get(GENERATION_KEY)
    if current is None:
        # add, not set: of two processes starting a generation at once, both then read the same one.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        current = cache.get(GENERATION_KEY)
    if current is None:
        # No cache to share one through (Redis unreachable): nothing may be kept, so a generation of this read alone.
        _known["checked_at"] = -GENERATION_RECHECK_SECONDS
        _memory.clear()
        return uuid.uuid4().hex
    return _remember(current)


def bump_generation() -> None:
    """Make every cached read stale: called once snapshots or stored pages changed and that change is committed."""
    new = uuid.uuid4().hex
    cache.set(GENERATION_KEY, new, None)
    _remember(new)


def get(entry_key: str):
    """A cached read: from this process's memory, else from the shared cache (then remembered here too)."""
    kept = _memory.get(entry_key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    found = cache.get(entry_key)
    if found is not None:
        _store_here(entry_key, found)
    return found


def put(entry_key: str, value) -> None:
    cache.set(entry_key, value, READ_CACHE_SECONDS)
    _store_here(entry_key, value)


def _store_here(entry_key: str, value) -> None:
    if len(_memory) >= MEMORY_ENTRIES:
        _memory.clear()  # crude, and rare: the pages in use come back on their next read
    # Kept here no longer than in the shared cache: what no job bumps (a renamed area) shows within the same bound.
    _memory[entry_key] = (time.monotonic() + READ_CACHE_SECONDS, value)


def bump_after_commit() -> None:
    """Bump once the caller's transaction commits (at once outside one): a reader must not cache the old data again."""
    transaction.on_commit(bump_generation)


def key(*parts) -> str:
    """A cache key for one read: the generation, today's date and the given parts (hashed: keys have a length limit)."""
    text = "\x1f".join(str(part) for part in (generation(), timezone.localdate().isoformat(), *parts))
    return "census:read:" + hashlib.sha256(text.encode()).hexdigest()


def lookup(parts: tuple, compute):
    """compute() once per generation, day and `parts`; later calls get the stored result."""
    entry_key = key("lookup", *parts)
    found = get(entry_key)
    if found is not None:
        return found
    found = compute()
    put(entry_key, found)
    return found


def _for_everyone(request) -> bool:
    """An anonymous visitor with nothing waiting to be shown: the page is the same for everyone like them."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    return not len(messages.get_messages(request))


def public_response(view):
    """For a page that is the same for every anonymous visitor: cached whole, with HTTP caching a proxy can use.

    Anonymous visitors get the stored copy (per generation, day, host, path
    and query; the language is in the path) with `Cache-Control: public`, a
    short max-age, an ETag and the copy's time as Last-Modified, and a 304
    when they send either back. A
    signed-in visitor sees their own name and menu in the page, so theirs is
    built each time and marked private. `Vary: Cookie` keeps a proxy from
    handing one to the other.
    """

    def wrapped(request, *args, **kwargs):
        if not _for_everyone(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie"])
            return response
        entry_key = key("page", request.get_host(), request.get_full_path())
        stored = get(entry_key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            stored = {
                "content": response.content,
                "content_type": response["Content-Type"],
                "etag": quote_etag(hashlib.sha256(response.content).hexdigest()[:32]),
                # When this copy was made: a copy is remade only after the data may have changed (a new generation).
                "last_modified": int(time.time()),
            }
            put(entry_key, stored)
        else:
            response = HttpResponse(stored["content"], content_type=stored["content_type"])
        response["ETag"] = stored["etag"]
        last_modified = stored.get("last_modified")
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Cookie"])
        return get_conditional_response(request, etag=stored["etag"], last_modified=last_modified, response=response)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    wrapped.__wrapped__ = view
    return wrapped


# The form field Django's {% csrf_token %} writes: its value is masked afresh for each response, so a stored page
# keeps a placeholder there and each response gets this request's own token.
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = "\x00csrf\x00"


def reader_response(view):
    """For a signed-in page: kept whole per reader (account, name, scope), path, generation and day.

    The page names its reader and shows their scope's menu, so it is never
    shared between readers and is marked private. A page shown with a message
    waiting (e.g. "saved") is built afresh. The CSRF field is filled in per
    response, so each answer carries a token of its own as Django makes it.
    """

    def wrapped(request, *args, **kwargs):
        user = request.user
        if request.method not in ("GET", "HEAD") or not user.is_authenticated or len(messages.get_messages(request)):
            return view(request, *args, **kwargs)
        scope = scope_of(user)
        entry_key = key("reader", user.pk, user.get_username(), user.is_superuser, scope, request.get_full_path())
        stored = get(entry_key)
        if stored is None or "parts" not in stored:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                page = CSRF_FIELD.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode(response.charset))
                # Kept as the bytes around each token's place: a hit joins them, with no search, decoding or encoding.
                parts = [part.encode(response.charset) for part in page.split(CSRF_PLACEHOLDER)]
                put(entry_key, {"parts": parts, "content_type": response["Content-Type"]})
            return response
        token = get_token(request).encode() if len(stored["parts"]) > 1 else b""
        return HttpResponse(token.join(stored["parts"]), content_type=stored["content_type"])

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    wrapped.__wrapped__ = view
    return wrapped
