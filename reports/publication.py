"""What the public may see: a district's figures of a day are published once "validated by status"."""

from census.models import DistrictStatus
from reports import coverage

# "Validated by status" (what the public page and the widget may show): see is_published().
REVIEW_FLAGS = {coverage.OVER_100, coverage.JUMP, coverage.FELL}
CLOSING_STATUSES = {DistrictStatus.Status.COMPLETED, DistrictStatus.Status.COMPLETED_EARLY}


def is_published(status: str, flags) -> bool:
    """Whether a district's figures of one day may be shown to the public: "validated by status".

    A district's figures are public once an official has given the district a
    status (any decision in force that day: in progress, nearly complete,
    completed early, completed). On a day they carry a review flag (over 100%,
    a jump, a falling total) they are withheld while the district is still
    open; an official closing the district (completed, completed early) accepts
    its figures as they stand, flags included. "No report" withholds nothing:
    the figures are then the last ones reported.
    """
    if not status:
        return False
    if status in CLOSING_STATUSES:
        return True
    return not (set(flags) & REVIEW_FLAGS)
