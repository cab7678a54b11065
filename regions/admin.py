"""Admin for the geography, and the change-list guard every admin page of the project stands on."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponseRedirect
from django.utils.translation import gettext

from regions.models import District, Region


def _impossible_year(request, years: range) -> str | None:
    for key, values in request.GET.lists():
        if key.endswith("__year"):
            for value in values:
                try:
                    if int(value) in years:
                        continue
                except ValueError:
                    pass
                return value
    return None


class ChangeListGuard(admin.ModelAdmin):
    """A change list whose filter or search holds a NUL character is refused as unusable.

    PostgreSQL text cannot hold NUL, so a filter such as ?source__exact=%00 would
    fail in the database; it gets the admin's own answer to a filter it cannot
    apply (the list again, with ?e=1) instead of a server error. Where `filter_years`
    is set (census.admin sets the years its entry forms take), so is a year outside it,
    with a message saying so. It lives here, at the bottom, so that the geography's
    admin has it without importing the census.
    """

    filter_years: range | None = None

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        year = _impossible_year(request, self.filter_years) if self.filter_years is not None else None
        if year is not None:
            messages.error(
                request,
                gettext("The list cannot be filtered by the year %(year)s: choose a year from %(first)s to %(last)s.")
                % {"year": year[:20], "first": self.filter_years.start, "last": self.filter_years.stop - 1},
            )
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0
    fields = ["kato", "kind", "name_kk", "name_ru", "name_en"]


@admin.register(Region)
class RegionAdmin(ChangeListGuard):
    list_display = ["kato", "name_ru", "name_kk", "name_en", "kind"]
    search_fields = ["kato", "name_ru", "name_kk", "name_en"]
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(ChangeListGuard):
    list_display = ["kato", "name_ru", "name_kk", "name_en", "kind", "region"]
    list_filter = ["region", "kind"]
    search_fields = ["kato", "name_ru", "name_kk", "name_en"]
