"""The language switcher: links to the page being read, in each of the site's languages."""

from django.conf import settings
from django.urls import translate_url


def language_links(request):
    """Template context: `language_links`, a list of (code, name, url, is_current).

    Computed while the request's own language is active, because only then does
    its language-prefixed path resolve (the set_language view cannot do that).
    """
    path = request.get_full_path()
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return {"language_links": [(code, name, translate_url(path, code), code == current) for code, name in settings.LANGUAGES]}
