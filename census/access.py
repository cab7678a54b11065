"""Who may see and change what: the one place roles and scopes are decided.

A Scope is computed for whoever acts (a person through their Assignment, an
API token, or nobody) and filters every list, detail and write: outside it a
list omits the row, a detail is a 404 and a write changes nothing. The API's
base view restricts each endpoint's queryset with `Scope.restrict`; pages and
endpoints that name an area by its KATO code find it with `region_or_404`,
`district_or_404` or `area_or_404`.
"""

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from census.models import ApiToken, Role
from regions.models import COUNTRY_KATO, District, Region


class OutOfScope(Http404):
    """No such area, or one the scope does not see whole: the same answer for both, so that a 404 tells nothing."""


TOKEN_BYTES = 32


@dataclass(frozen=True)
class Scope:
    """An area (a district, a region, or the country when both are None) and whether changes are allowed there."""

    role: str
    region_id: int | None = None
    district_id: int | None = None
    can_write: bool = False

    @property
    def is_country(self) -> bool:
        return self.region_id is None and self.district_id is None

    @property
    def reads_device_syncs(self) -> bool:
        """Whether the device sync health page is for this person: those who answer for a region or the country."""
        return self.role in (Role.ADMIN, Role.OFFICIAL, Role.STAFF) and self.district_id is None

    def districts(self, queryset: QuerySet | None = None) -> QuerySet:
        queryset = District.objects.all() if queryset is None else queryset
        if self.district_id is not None:
            return queryset.filter(pk=self.district_id)
        if self.region_id is not None:
            return queryset.filter(region_id=self.region_id)
        return queryset

    def regions(self, queryset: QuerySet | None = None) -> QuerySet:
        """Regions in view: all, the one assigned, or the one holding the assigned district."""
        queryset = Region.objects.all() if queryset is None else queryset
        if self.district_id is not None:
            return queryset.filter(districts__pk=self.district_id)
        if self.region_id is not None:
            return queryset.filter(pk=self.region_id)
        return queryset

    def by_district(self, queryset: QuerySet, field: str = "district") -> QuerySet:
        """Rows of any model that names a district (counts, statuses, audit entries)."""
        if self.district_id is not None:
            return queryset.filter(**{f"{field}_id": self.district_id})
        if self.region_id is not None:
            return queryset.filter(**{f"{field}__region_id": self.region_id})
        return queryset

    def covers_district(self, district: District) -> bool:
        if self.district_id is not None:
            return district.pk == self.district_id
        if self.region_id is not None:
            return district.region_id == self.region_id
        return True

    def covers_region(self, region: Region) -> bool:
        """Whether the whole region is in view (a district-scoped person sees only part of it)."""
        return self.district_id is None and (self.region_id is None or region.pk == self.region_id)

    def may_change(self, district: District) -> bool:
        return self.can_write and self.covers_district(district)

    def snapshots(self, queryset: QuerySet) -> QuerySet:
        """Figures per area (rows with a level, a region and a district): of the areas the scope sees whole.

        Its districts, its region (not for a district-scoped person, who sees only part of it), and the
        country's own row only for a country-wide scope.
        """
        level = queryset.model.Level
        if self.is_country:
            return queryset
        visible = queryset.filter(level=level.DISTRICT, district__in=self.districts())
        if self.district_id is None:
            visible = visible | queryset.filter(level=level.REGION, region__in=self.regions())
        return visible

    def restrict(self, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` in view, whatever its model: what the API's base view applies to every endpoint.

        A model with no rule here is refused rather than shown whole: a new endpoint's data is scoped, or
        the endpoint says it is not.
        """
        model = queryset.model
        if issubclass(model, Region):
            return self.regions(queryset)
        if issubclass(model, District):
            return self.districts(queryset)
        fields = {field.name for field in model._meta.get_fields()}
        if {"level", "region", "district"} <= fields:
            return self.snapshots(queryset)
        if "district" in fields:
            return self.by_district(queryset)
        raise ImproperlyConfigured(f"census/access.py has no scope rule for {model.__name__} rows.")

    def region_or_404(self, kato: str, *, whole: bool = False) -> Region:
        """The region with this KATO code if it is in view, else a 404.

        In view in part is enough (a district-scoped person's region holds their district) unless `whole`:
        then only a region the scope sees whole, as for its dashboard and report.
        """
        region = get_object_or_404(self.regions(), kato=kato)
        if whole and not self.covers_region(region):
            raise Http404
        return region

    def district_or_404(self, kato: str, queryset: QuerySet | None = None) -> District:
        """The district with this KATO code (its region loaded) if it is in view, else a 404."""
        queryset = District.objects.select_related("region") if queryset is None else queryset
        return get_object_or_404(self.districts(queryset), kato=kato)

    def area_or_404(self, kato: str) -> Region | District | None:
        """The region, district or (None) the country named by `kato`, if the scope sees it whole; else OutOfScope."""
        if kato == COUNTRY_KATO:
            if self.is_country:
                return None
            raise OutOfScope(_("No such area in your scope."))
        region = Region.objects.filter(kato=kato).first()
        if region is not None and self.covers_region(region):
            return region
        district = District.objects.filter(kato=kato).first()
        if district is not None and self.covers_district(district):
            return district
        raise OutOfScope(_("No such area in your scope."))


# Nobody: anonymous visitors and accounts without an assignment see no internal data.
NO_ACCESS = Scope(role="", region_id=-1, district_id=-1, can_write=False)


def scope_of(actor) -> Scope:
    """The Scope of a user or an ApiToken; NO_ACCESS for anyone else."""
    if isinstance(actor, ApiToken):
        return Scope(role="token", region_id=actor.region_id, can_write=actor.can_write)
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return NO_ACCESS
    if actor.is_superuser:
        return Scope(role=Role.ADMIN, can_write=True)
    assignment = getattr(actor, "assignment", None)
    if assignment is None:
        return NO_ACCESS
    if assignment.role == Role.ADMIN:
        return Scope(role=Role.ADMIN, can_write=True)
    return Scope(
        role=assignment.role,
        region_id=assignment.region_id,
        district_id=assignment.district_id,
        can_write=assignment.role == Role.STAFF,
    )


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, name: str, region: Region | None, can_write: bool, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; returns it and the key, which is not stored and cannot be shown again."""
    key = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        name=name, key_prefix=key[:8], key_hash=hash_key(key), region=region, can_write=can_write, expires_at=expires_at
    )
    return token, key


# A token's row is read from the shared cache and from the process's memory, under a token generation that
# every save or deletion of a token (revoked, expiry or region changed) replaces, at once and again on commit.
# A process asks the shared cache for the generation at most every TOKEN_GENERATION_RECHECK_SECONDS, so another
# process stops accepting a revoked token within that time; the process that saved it at once. An entry kept
# under an old generation is never read again, so a request that read the row just before a revocation cannot
# put it back. A revocation made with QuerySet.update() sends no signal and shows within TOKEN_CACHE_SECONDS.
TOKEN_GENERATION_KEY = "census:api-token-generation"  # noqa: S105 - a cache key, not a secret
TOKEN_GENERATION_RECHECK_SECONDS = 1.0
TOKEN_CACHE_SECONDS = 300
TOKEN_MEMORY_ENTRIES = 1024
_token_generation: dict[str, Any] = {"generation": "", "checked_at": -TOKEN_GENERATION_RECHECK_SECONDS}
_token_memory: dict[str, tuple[float, ApiToken]] = {}


def _cache_call(call, *args):
    """The token cache never fails a request: with the cache failing, the database answers (it is the truth)."""
    try:
        return call(*args)
    except Exception:  # noqa: BLE001 - any cache failure: the token is read from the database instead
        return None


def _current_token_generation() -> str | None:
    """The token generation (made now if the cache has none); None when no cache answers: nothing is kept then."""
    if time.monotonic() - _token_generation["checked_at"] < TOKEN_GENERATION_RECHECK_SECONDS:
        return _token_generation["generation"]
    current = _cache_call(cache.get, TOKEN_GENERATION_KEY)
    if current is None:
        _cache_call(cache.add, TOKEN_GENERATION_KEY, uuid.uuid4().hex, None)
        current = _cache_call(cache.get, TOKEN_GENERATION_KEY)
    if current is None:
        _token_memory.clear()
        _token_generation["checked_at"] = -TOKEN_GENERATION_RECHECK_SECONDS
        return None
    if current != _token_generation["generation"]:
        _token_memory.clear()
    _token_generation.update(generation=current, checked_at=time.monotonic())
    return current


def _token_cache_key(generation: str, key_hash: str) -> str:
    return f"census:api-token:{generation}:{key_hash}"


def remember_token(token: ApiToken) -> None:
    """Keep this token's row (e.g. with a new last_used_at) for its next requests, under the generation known here."""
    generation = _current_token_generation()
    if generation is None:
        return
    if len(_token_memory) >= TOKEN_MEMORY_ENTRIES:
        _token_memory.clear()
    # In memory no longer than in the shared cache, so a change that sent no signal shows within the same bound.
    _token_memory[token.key_hash] = (time.monotonic() + TOKEN_CACHE_SECONDS, token)
    _cache_call(cache.set, _token_cache_key(generation, token.key_hash), token, TOKEN_CACHE_SECONDS)


def _known_token(key_hash: str) -> ApiToken | None:
    generation = _current_token_generation()
    if generation is not None:
        kept = _token_memory.get(key_hash)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        token = _cache_call(cache.get, _token_cache_key(generation, key_hash))
        if token is not None:
            _token_memory[key_hash] = (time.monotonic() + TOKEN_CACHE_SECONDS, token)
            return token
    token = ApiToken.objects.filter(key_hash=key_hash).select_related("region").first()
    if token is not None and generation is not None:
        remember_token(token)  # unknown keys are not kept: a guesser is held back by the anonymous rate instead
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key, or None when unknown, expired or revoked (expiry checked on every use)."""
    token = _known_token(hash_key(key))
    now = timezone.now()
    if token is None or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    return token


@receiver(post_save, sender=ApiToken, dispatch_uid="census.access.forget_token")
@receiver(post_delete, sender=ApiToken, dispatch_uid="census.access.forget_deleted_token")
def forget_tokens(sender, instance, **kwargs):
    """A saved or deleted token (revoked, expiry or region changed) is read afresh: every kept row is dropped."""

    def bump():
        _token_memory.clear()
        new = uuid.uuid4().hex
        _cache_call(cache.set, TOKEN_GENERATION_KEY, new, None)
        _token_generation.update(generation=new, checked_at=time.monotonic())

    bump()
    # Again once committed: a request between the save and the commit may have kept the row as it was.
    transaction.on_commit(bump)
