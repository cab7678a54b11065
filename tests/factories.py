"""factory_boy factories for the census's own data, independent of the demo."""

import datetime

import factory
from django.contrib.auth import get_user_model

from census.models import Campaign, DailyCount, Phase
from regions.models import District, PopulationBaseline, Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("kato",)

    # 11..99, then round again: never "00", which is the country's code (COUNTRY_KATO) in roll-ups.
    kato = factory.Sequence(lambda n: f"{11 + n % 89:02d}0000000")
    name_kk = factory.Sequence(lambda n: f"Облыс {n}")
    name_ru = factory.Sequence(lambda n: f"Область {n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("kato",)

    region = factory.SubFactory(RegionFactory)
    kato = factory.LazyAttributeSequence(lambda o, n: f"{o.region.kato[:2]}{(n % 9000) + 1000:04d}000")
    name_kk = factory.Sequence(lambda n: f"Аудан {n}")
    name_ru = factory.Sequence(lambda n: f"Район {n}")
    name_en = factory.Sequence(lambda n: f"District {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"census-{n}")
    name_kk = "Санақ"
    name_ru = "Перепись"
    name_en = "Census"
    starts_on = datetime.date(2021, 9, 1)


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    campaign = factory.SubFactory(CampaignFactory)
    kind = Phase.Kind.ONLINE
    starts_on = datetime.date(2021, 9, 1)
    ends_on = datetime.date(2021, 10, 15)


def campaign_like_2021(*, door_to_door_ends=datetime.date(2021, 10, 30), **fields) -> Campaign:
    """A campaign shaped like 2021's: online 1 Sep-15 Oct, door to door 1 Oct-30 Oct (or `door_to_door_ends`)."""
    campaign = CampaignFactory(**fields)
    PhaseFactory(
        campaign=campaign, kind=Phase.Kind.ONLINE, starts_on=datetime.date(2021, 9, 1), ends_on=datetime.date(2021, 10, 15)
    )
    PhaseFactory(campaign=campaign, kind=Phase.Kind.DOOR_TO_DOOR, starts_on=datetime.date(2021, 10, 1), ends_on=door_to_door_ends)
    return campaign


class BaselineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationBaseline

    district = factory.SubFactory(DistrictFactory)
    campaign = factory.SubFactory(CampaignFactory)
    population = 10_000
    as_of = datetime.date(2021, 9, 1)


class DailyCountFactory(factory.django.DjangoModelFactory):
    """Writes a row directly: for read-side tests only; entry goes through census.services."""

    class Meta:
        model = DailyCount

    campaign = factory.SubFactory(CampaignFactory)
    district = factory.SubFactory(DistrictFactory)
    date = datetime.date(2021, 9, 1)
    online = 0
    offline = 0


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True
