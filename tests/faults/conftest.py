import datetime

import pytest

from census.models import DailyCount
from tests import factories


@pytest.fixture
def wide_campaign(transactional_db):
    """Two regions of 150 districts each, counted every day from 1 Sep to 30 Oct 2021 (written directly: setup only)."""
    campaign = factories.campaign_like_2021()
    counts = []
    for r, region_kato in enumerate(("310000000", "350000000")):
        region = factories.RegionFactory(kato=region_kato)
        for n in range(150):
            district = factories.DistrictFactory(region=region, kato=f"{region_kato[:2]}{1000 + n:04d}000")
            factories.BaselineFactory(district=district, campaign=campaign, population=20_000 + 97 * n + r)
            day = datetime.date(2021, 9, 1)
            while day <= datetime.date(2021, 10, 30):
                online = (n * 7 + day.day * 13) % 400 if day <= datetime.date(2021, 10, 15) else 0
                offline = (n * 11 + day.day * 17) % 500 if day >= datetime.date(2021, 10, 1) else 0
                counts.append(DailyCount(campaign=campaign, district=district, date=day, online=online, offline=offline))
                day += datetime.timedelta(days=1)
    DailyCount.objects.bulk_create(counts, batch_size=5000)
    return campaign
