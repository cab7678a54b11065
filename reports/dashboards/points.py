"""Self-service points on the pages: the region dashboard's card and the public page's "Where to take part".

Places and numbers of people helped, never people. The people helped at a point answered online, so their number
is shown as a share of the day's online answers, never added to coverage.
"""

import datetime

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census.formatting import format_number, format_percent
from census.models import DailyCount, ServicePoint, ServicePointUse
from regions.models import Region
from reports.press import press_name

# The districts without an open self-service point that the card names, lowest online participation first.
POINTLESS_SHOWN = 5
# An open point that helped no one in this many days running is named on the card.
IDLE_DAYS = 3


def points_card(campaign, districts: list, areas: dict, as_of: datetime.date) -> dict | None:
    """The region's self-service points on `as_of`: how many are open, in how many districts, and the districts
    without one where online participation is lowest (where a point would help most). None: the campaign has none."""
    points = ServicePoint.objects.filter(campaign=campaign, district__in=districts)
    if not points.exists():
        return None
    open_points = list(points.active(on=as_of).values_list("district_id", flat=True))
    served = set(open_points)
    helped = ServicePointUse.objects.filter(campaign=campaign, district__in=districts, date=as_of).aggregate(n=Sum("assisted"))[
        "n"
    ]
    online_answers = DailyCount.objects.filter(campaign=campaign, district__in=districts, date=as_of).aggregate(n=Sum("online"))[
        "n"
    ]
    # Open for the last IDLE_DAYS days and no one helped there in them (no figure, or 0): worth a call.
    since = as_of - datetime.timedelta(days=IDLE_DAYS - 1)
    used = ServicePointUse.objects.filter(point__in=points, date__range=(since, as_of), assisted__gt=0).values("point_id")
    idle = points.active(on=since).active(on=as_of).exclude(pk__in=used).select_related("district")
    without = [areas[d.pk] for d in districts if d.pk not in served]

    # A district with no figures yet has no online share to rank by: it goes last, by name.
    def online(area):
        return area.snapshot.online_pct if area.snapshot is not None else None

    without.sort(key=lambda area: (online(area) is None, online(area) or 0, area.sort_name))
    return {
        "open_text": ngettext(
            "%(count)s point open, in %(served)s of %(of)s districts.",
            "%(count)s points open, in %(served)s of %(of)s districts.",
            len(open_points),
        )
        % {"count": format_number(len(open_points)), "served": format_number(len(served)), "of": format_number(len(districts))},
        "without": [{"area": area, "online_text": format_percent(online(area))} for area in without[:POINTLESS_SHOWN]],
        # The points' share of the day's online answers: part of them, never added to coverage.
        "helped_text": None
        if helped is None
        else _("%(helped)s people helped at the points, %(share)s of the day's online answers.")
        % {
            "helped": format_number(helped),
            "share": format_percent(100 * helped / online_answers if online_answers else None),
        },
        "idle": sorted(idle, key=lambda p: (p.district.sort_name, p.sort_name)),
        "idle_title": ngettext(
            "Open, but nobody helped there in the last %(days)s day",
            "Open, but nobody helped there in the last %(days)s days",
            IDLE_DAYS,
        )
        % {"days": IDLE_DAYS},
    }


def public_service_points(campaign, region: Region, as_of: datetime.date) -> list:
    """The self-service points of `region` open on `as_of` that the public page lists, by district, then name."""
    points = ServicePoint.objects.filter(campaign=campaign, district__region=region, public=True).active(on=as_of)
    points = sorted(points.select_related("district"), key=lambda p: (p.district.sort_name, p.sort_name, p.pk))
    for point in points:
        # As the press writes it ("Орал қаласы", "город Уральск"), not the classifier's "Орал қ.ә.".
        point.place_name = press_name(point.district.name)
    return points
