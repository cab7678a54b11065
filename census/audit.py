"""One way to show an audit entry's changes (the staff history page and the district dashboard's audit trail).

An entry's `changes` maps each field to [old, new] as stored; shown, each becomes a label and two values as text:
numbers grouped the reader's way, a status by its label, nothing as a dash.
"""

from typing import NamedTuple

from django.utils.translation import gettext_lazy

from census.formatting import format_number
from census.models import AuditEntry, DistrictStatus, StaffRole

# Lazy: the labels are read in each request's language, not the one active at import.
FIELD_LABELS = {
    "online": gettext_lazy("Online"),
    "offline": gettext_lazy("Door-to-door"),
    "status": gettext_lazy("Status"),
    "population": gettext_lazy("Population"),
    "ends_on": gettext_lazy("End date"),
    "phase": gettext_lazy("Phase"),
    "interviewers": gettext_lazy("Interviewers on duty"),
    "instructors": gettext_lazy("Instructor-controllers on duty"),
    "volunteers": gettext_lazy("Volunteers on duty"),
    "vaccinated": gettext_lazy("Vaccinated on duty"),
    "role": gettext_lazy("Role"),
    "planned": gettext_lazy("Planned"),
}


class Change(NamedTuple):
    """One field of an audit entry as shown: "Online: 1 200 → 1 350"."""

    label: str
    old: str
    new: str


def value_text(field: str, value) -> str:
    """A stored old or new value as text: a dash for nothing, a status's label, a grouped number."""
    if value is None:
        return "—"
    if field == "status" and value in DistrictStatus.Status.values:
        return str(DistrictStatus.Status(value).label)
    if field == "role" and value in StaffRole.values:
        return str(StaffRole(value).label)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def changes(entry: AuditEntry, *, in_sentence: bool = False) -> list[Change]:
    """The entry's changed fields, in stored order; `in_sentence` writes the labels in lower case ("online: …")."""
    shown = []
    for field, values in (entry.changes or {}).items():
        if not (isinstance(values, list | tuple) and len(values) == 2):
            continue
        label = FIELD_LABELS.get(field)
        text = field if label is None else str(label).lower() if in_sentence else str(label)
        shown.append(Change(text, value_text(field, values[0]), value_text(field, values[1])))
    return shown
