"""The <kato:...> URL converter: an area's KATO code in a path, registered once for every URL map that uses it."""

from django.urls import register_converter


class KatoConverter:
    """A KATO code: exactly nine digits (anything else is not a page, so a 404)."""

    regex = r"\d{9}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KatoConverter, "kato")
