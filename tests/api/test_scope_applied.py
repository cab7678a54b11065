"""The API's base view applies the caller's scope: an endpoint declares its queryset and is scoped without asking.

A view that forgot to filter by the scope used to show every row; now the base
view restricts the declared queryset once the caller is known, and a view with
nothing to restrict must say so.
"""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver
from rest_framework import generics, mixins, viewsets
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from census.access import Scope, issue_token
from census.api.authentication import TokenClient
from census.api.base import ApiListMixin, ApiView
from census.models import AuditEntry, DailyCount, IdempotentRequest
from census.services import record_count
from tests import factories

DAY = datetime.date(2021, 10, 5)


class PlainCountsView(ApiListMixin, ApiView, mixins.ListModelMixin, viewsets.GenericViewSet):
    # A new endpoint as someone would write it: a queryset and a list, no mention of the scope.
    queryset = DailyCount.objects.select_related("district").order_by("district__kato")

    def list(self, request, *args, **kwargs):
        return Response({"results": [row.district.kato for row in self.get_queryset()]})


class NoQuerysetView(ApiView, generics.GenericAPIView):
    def get(self, request, *args, **kwargs):
        return Response({"results": [row.district.kato for row in DailyCount.objects.select_related("district")]})


def _as_token(view, *, region):
    token, _key = issue_token(name="scoped view", region=region, can_write=False)
    request = APIRequestFactory().get("/api/v1/anything/")
    force_authenticate(request, user=TokenClient(token), token=token)
    return view(request)


@pytest.fixture
def counts_in_two_regions(campaign, after_campaign):
    north = factories.RegionFactory(kato="110000000")
    south = factories.RegionFactory(kato="120000000")
    for region, kato in ((north, "111000000"), (south, "121000000")):
        district = factories.DistrictFactory(region=region, kato=kato)
        record_count(campaign=campaign, district=district, date=DAY, online=1, offline=2, source=AuditEntry.Source.COMMAND)
    return north, south


def test_an_endpoint_that_only_declares_its_queryset_shows_a_region_token_only_its_region(counts_in_two_regions):
    north, _south = counts_in_two_regions

    response = _as_token(PlainCountsView.as_view({"get": "list"}), region=north)

    assert response.status_code == 200
    assert response.data["results"] == ["111000000"]


def test_an_endpoint_with_nothing_to_scope_is_refused_unless_it_says_it_is_unscoped(counts_in_two_regions):
    north, _south = counts_in_two_regions

    response = _as_token(NoQuerysetView.as_view(), region=north)

    # A server error in the one error shape (and logged): nothing shown, and caught by the first test run.
    assert response.status_code == 500
    assert response.data["code"] == "server_error"


def test_a_model_without_a_scope_rule_is_refused_not_shown_whole(db):
    with pytest.raises(ImproperlyConfigured):
        Scope(role="token", region_id=1).restrict(IdempotentRequest.objects.all())


def _api_views():
    found = []

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
            else:
                view = getattr(pattern.callback, "cls", None)
                if view is not None and issubclass(view, ApiView):
                    found.append(view)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_endpoint_declares_a_queryset_or_says_it_is_unscoped():
    views = _api_views()

    assert views
    undeclared = [view.__name__ for view in views if getattr(view, "queryset", None) is None and not view.unscoped]
    assert undeclared == []


@pytest.mark.parametrize("kato", ["121000000", "120000000", "000000000", "999999999"])
def test_an_area_outside_the_scope_and_an_unknown_one_get_the_same_404(counts_in_two_regions, token_client, kato):
    north, _south = counts_in_two_regions
    client, _token = token_client(region=north)

    response = client.get("/api/v1/coverage/series/", {"kato": kato}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "No such area in your scope.", "errors": {}}
