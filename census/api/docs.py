"""The API's documentation page: Swagger UI under an introduction in the reader's language (kk, ru or en).

The operations come from the OpenAPI schema, in English (the contract's language); the introduction above them
says in Kazakh, Russian or English what the API gives, how to sign requests and how to ask for a language.
"""

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI (the split view: its set-up script is a file, so the strict script policy holds) with an introduction."""

    template_name = "api/docs.html"

    @extend_schema(exclude=True)  # a page about the API, not an operation of it
    def get(self, request, *args, **kwargs):
        # ?lang= picks the introduction's language, as it picks the briefing's; else Accept-Language, as everywhere.
        # Activated for the rest of the request (as LocaleMiddleware does): the page is rendered after the view returns.
        language = request.GET.get("lang")
        if language in LANGUAGE_CODES:
            translation.activate(language)
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is None:
            response.data = {**response.data, "languages": LANGUAGE_CODES, "docs_language": translation.get_language()[:2]}
        return response
