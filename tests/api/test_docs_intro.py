"""The API documentation page opens with an introduction in Kazakh, Russian or English; the contract below stays English."""

import pytest

INTRO = {
    "kk": "Байланыс қызметіне арналған халық санағының деректері",
    "ru": "Данные переписи населения для пресс-службы",
    "en": "Figures of the population census for the communications service",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_lang_picks_the_introductions_language(client, language):
    response = client.get("/api/docs/", {"lang": language}, HTTP_ACCEPT_LANGUAGE="en" if language != "en" else "ru")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<section class="api-intro" lang="{language}">' in page
    assert INTRO[language] in page
    assert all(text not in page for other, text in INTRO.items() if other != language)
    assert "Authorization: Token &lt;key&gt;" in page
    assert f"/api/v1/briefing/?region=270000000&amp;date=2021-10-27&amp;lang={language}" in page


def test_without_lang_the_browser_language_is_used(client):
    page = client.get("/api/docs/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()

    assert INTRO["kk"] in page


def test_the_page_keeps_its_strict_script_policy_and_its_set_up_script_is_a_file(client):
    page = client.get("/api/docs/", {"lang": "ru"})
    script = client.get("/api/docs/", {"lang": "ru", "script": ""})

    policy = page["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "<script>" not in page.content.decode()  # every script is a file
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_page_is_marked_with_the_introductions_language_and_the_contract_as_english(client, language):
    page = client.get("/api/docs/", {"lang": language}).content.decode()

    assert f'<html lang="{language}">' in page
    assert '<div id="swagger-ui" lang="en">' in page
