"""Admin for the geography, and the change-list guard every admin page of the project stands on."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponseRedirect
from django.utils.html import format_html
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


NAME_FIELDS = {"name_kk": "kk", "name_ru": "ru", "name_en": "en"}


def name_in_its_language(language: str, field):
    """A change-list column of the name in one language, marked with that language (lang), sorted by it."""

    @admin.display(description=field.verbose_name, ordering=field.name)
    def column(obj):
        return format_html('<span lang="{}">{}</span>', language, getattr(obj, field.name))

    return column


class NamesInTheirLanguage:
    """The name fields of an area's form are marked with their own language, whatever the admin's language.

    A screen reader then reads "Тасқала ауданы" in a Kazakh voice on the Russian admin page.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None and db_field.name in NAME_FIELDS:
            formfield.widget.attrs["lang"] = NAME_FIELDS[db_field.name]
        return formfield


class NamedCellsInline(admin.TabularInline):
    """A tabular inline whose every field is named for a screen reader: its column's heading and its row's number.

    Django's tabular inline shows the field names only as column headings, so each input, select and "delete"
    box of a row has no label of its own (axe: label, select-name).
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class NamedCells(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    label = str(field.label or name)
                    field.widget.attrs["aria-label"] = label if index is None else f"{label} ({index + 1})"

        return NamedCells


class DistrictInline(NamesInTheirLanguage, NamedCellsInline):
    model = District
    extra = 0
    fields = ["kato", "kind", "name_kk", "name_ru", "name_en"]


def _names(model) -> list:
    return [name_in_its_language(NAME_FIELDS[name], model._meta.get_field(name)) for name in ("name_ru", "name_kk", "name_en")]


@admin.register(Region)
class RegionAdmin(NamesInTheirLanguage, ChangeListGuard):
    list_display = ["kato", *_names(Region), "kind"]
    search_fields = ["kato", "name_ru", "name_kk", "name_en"]
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(NamesInTheirLanguage, ChangeListGuard):
    list_display = ["kato", *_names(District), "kind", "region"]
    list_filter = ["region", "kind"]
    search_fields = ["kato", "name_ru", "name_kk", "name_en"]
