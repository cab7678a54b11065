"""People's accounts: who may log in, with which role, for which area (the KATO code of a region, a district or
the country). Used by the add_user command, the demo and the tests; tokens take their area from here too."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from census.errors import Rejected
from census.models import Assignment, Role
from regions.models import COUNTRY_KATO, District, Region


def area_for_kato(kato: str) -> Region | District | None:
    """The region or district with this KATO code, None for the country's code; Rejected if unknown."""
    if kato == COUNTRY_KATO:
        return None
    area = Region.objects.filter(kato=kato).first() or District.objects.filter(kato=kato).first()
    if area is None:
        raise Rejected({"scope": [_("No region or district has the KATO code %(kato)s.") % {"kato": kato}]})
    return area


def provision_user(*, username: str, role: str, kato: str, password: str | None = None) -> AbstractBaseUser:
    """Create or update an account with its role and area; an administrator gets the admin site too.

    Staff work in a region or a district; officials read a district, a region or
    the country; administrators see everything. Without a password the account
    cannot log in until one is set.
    """
    if role not in Role.values:
        raise Rejected({"role": [_("Choose a role: staff, official or admin.")]})
    area = area_for_kato(kato)
    if role == Role.STAFF and area is None:
        raise Rejected({"scope": [_("Statistics staff work in a region or a district, not the whole country.")]})
    user_model = get_user_model()
    with transaction.atomic():
        user, _created = user_model.objects.get_or_create(username=username)
        if password is not None:
            validate_password(password, user)
            user.set_password(password)
        elif _created:
            user.set_unusable_password()
        user.is_superuser = user.is_staff = role == Role.ADMIN
        user.save()
        Assignment.objects.update_or_create(
            user=user,
            defaults={
                "role": role,
                "region": area if isinstance(area, Region) else None,
                "district": area if isinstance(area, District) else None,
            },
        )
    return user
