"""Device sync health: who sends entries from devices (the outbox of the entry pages), how recently, and how it goes.

Read by those who answer for a whole area: administrators and country officials see every sender; an official or a
staff member of a region sees the people assigned inside that region and the region's API tokens. A district's
staff see no one else's sends (403).
"""

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.shortcuts import render

from census.access import scope_of
from census.models import DeviceSync

# Batches read for the page: months of a whole country's sends, far more than one screen needs.
RECENT_BATCHES = 20_000


@dataclass
class Sender:
    """One person's (or API token's) sends, newest first as read."""

    name: str
    last: DeviceSync
    batches: int = 0
    conflicts: int = 0
    rejected: int = 0
    longest_wait_minutes: int | None = None


def sync_health(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = scope_of(request.user)
    if not scope.reads_device_syncs:
        return render(request, "census/forbidden.html", status=403)
    batches = DeviceSync.objects.select_related("user", "token").filter(Q(user__isnull=False) | Q(token__isnull=False))
    if scope.region_id is not None:
        # A person counts where they are assigned (their region, or a district in it); a token where it is scoped.
        batches = batches.filter(
            Q(user__assignment__region_id=scope.region_id)
            | Q(user__assignment__district__region_id=scope.region_id)
            | Q(token__region_id=scope.region_id)
        )
    senders: dict[tuple, Sender] = {}
    for batch in batches.order_by("-received_at", "-pk")[:RECENT_BATCHES]:
        who = (batch.user_id, batch.token_id)
        sender = senders.get(who)
        if sender is None:
            name = batch.user.get_username() if batch.user else batch.token.name
            sender = senders[who] = Sender(name=name, last=batch)
        sender.batches += 1
        sender.conflicts += batch.conflicts
        sender.rejected += batch.rejected
        if batch.longest_wait is not None:
            minutes = int(batch.longest_wait.total_seconds() // 60)
            sender.longest_wait_minutes = max(minutes, sender.longest_wait_minutes or 0)
    return render(request, "census/sync_health.html", {"senders": list(senders.values())})
