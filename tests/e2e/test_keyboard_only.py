"""A staff member who cannot use a mouse does a day's work with the keyboard alone, and always sees where the focus is.

Only keyboard events reach the page: Tab, Shift+Tab, Enter, Space and typing (the file chooser of the import opens
from the keyboard too). Going to an address is typing it into the address bar. After every key that moves the
focus, the focused element must show it: an outline or a box shadow of its own.
"""

import datetime
import io

import pytest
from django.core.management import call_command

from census.demo import DEMO_PASSWORD
from census.models import DailyCount
from regions.models import District

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pages]

WKO = "270000000"
TASKALA = "276000000"
DAY_FORM_DAY = datetime.date(2021, 10, 28)
GRID_DAY = datetime.date(2021, 10, 29)
IMPORT_DAY = datetime.date(2021, 10, 30)

# How the focused element shows it, or why it does not: "" when an outline or a box shadow is drawn around it.
FOCUS_SHOWN = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) { return "nothing has the focus"; }
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return outline || shadow ? "" : `${element.tagName.toLowerCase()}#${element.id}.${element.className} shows no focus (outline ${style.outlineStyle} ${style.outlineWidth}, shadow ${style.boxShadow})`;
}"""


class Keyboard:
    """The reader's keys, with a check after each one that moves the focus that the focus can be seen."""

    def __init__(self, page):
        self.page = page
        self.stops = 0
        self.unseen: list[str] = []

    def tab_to(self, selector: str, *, limit: int = 150) -> None:
        """Press Tab until the element matching the selector has the focus; every stop on the way must show it.

        An element that has the focus already (a field with autofocus) needs no Tab.
        """
        if self.page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            problem = self.page.evaluate(FOCUS_SHOWN)
            if problem:
                self.unseen.append(f"{self.page.url}: {problem}")
            return
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            self.stops += 1
            problem = self.page.evaluate(FOCUS_SHOWN)
            if problem:
                self.unseen.append(f"{self.page.url}: {problem}")
            if self.page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
                return
        raise AssertionError(f"{selector} not reached with {limit} presses of Tab on {self.page.url}")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def activate(self, selector: str, key: str = "Enter") -> None:
        """Tab to a link or button and press Enter (or Space), waiting for the page it leads to."""
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)


def as_of_in(url: str) -> datetime.date | None:
    """The day a dashboard's address asks for (as_of=YYYY-MM-DD), if any."""
    if "as_of=" not in url:
        return None
    return datetime.date.fromisoformat(url.split("as_of=")[1][:10])


def counts_on(day: datetime.date) -> dict[str, tuple[int, int]]:
    return {c.district.kato: (c.online, c.offline) for c in DailyCount.objects.filter(date=day).select_related("district")}


def test_a_days_work_with_the_keyboard_alone_and_the_focus_always_in_sight(live_server, page, tmp_path):
    # given the demo region; the grid's first three districts and one more for the import
    call_command("load_demo", stdout=io.StringIO())
    districts = list(
        District.objects.filter(region__kato=WKO).exclude(kato=TASKALA).order_by("kato").values_list("kato", flat=True)
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    keys = Keyboard(page)
    base = live_server.url

    # when the reader opens the public page, the first Tab reaches the skip link, which takes them to the content
    page.goto(f"{base}/en/public/")
    keys.tab_to("a.skip-link", limit=1)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # and the next Tab goes on inside the content, not back to the header
    keys.tab_to("main *", limit=1)

    # when they sign in (the name field has the focus when the page opens)
    page.goto(f"{base}/en/login/")
    keys.type_into("input[name=username]", "admin")
    keys.type_into("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login/" not in page.url

    # when they enter a day's figures in the district form (the day chosen in the address)
    page.goto(f"{base}/en/entry/district/{TASKALA}/?date={DAY_FORM_DAY.isoformat()}&mode=daily")
    keys.type_into("input[name=online]", "210")
    keys.type_into("input[name=offline]", "340")
    keys.type_into("textarea[name=reason]", "paper forms from Akpater")  # the day has passed: a correction
    keys.activate("form.stacked button[type=submit]")

    # then they are saved
    assert counts_on(DAY_FORM_DAY).get(TASKALA) == (210, 340)

    # when they fill three districts in the region grid and save it with Space
    page.goto(f"{base}/en/entry/region/{WKO}/?date={GRID_DAY.isoformat()}&mode=daily")
    for number, kato in enumerate(districts[:3], start=1):
        keys.type_into(f'input[name="{kato}-online"]', str(100 + number))
        keys.type_into(f'input[name="{kato}-offline"]', str(200 + number))
    keys.type_into("input[name=reason]", "paper forms from the villages")
    keys.activate("button[data-grid-save]", key="Space")

    # then the three are saved
    saved = counts_on(GRID_DAY)
    assert {kato: saved.get(kato) for kato in districts[:3]} == {
        kato: (100 + n, 200 + n) for n, kato in enumerate(districts[:3], start=1)
    }

    # when they choose a file from the keyboard, check it and apply it
    upload = tmp_path / "counts.csv"
    upload.write_text(f"district;date;online;offline\n{districts[3]};{IMPORT_DAY:%d.%m.%Y};77;88\n", encoding="utf-8")
    # (Playwright asks the browser to hand file choosers over when the first listener is added, without waiting for
    # the answer: listening before the page opens means the Space below cannot reach the browser first.)
    page.on("filechooser", lambda chooser: None)
    page.goto(f"{base}/en/entry/import/")
    keys.tab_to("input[type=file]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(upload))
    keys.type_into("input[name=reason]", "the district's own sheet")
    keys.activate("form.stacked button[type=submit]")
    keys.activate("form[action$='/entry/import/apply/'] button[type=submit]")

    # then its row is saved
    assert counts_on(IMPORT_DAY).get(districts[3]) == (77, 88)

    # when they switch the site to Kazakh from the header
    page.goto(f"{base}/en/dashboard/{WKO}/")
    keys.activate('.language-switcher a[hreflang="kk"]')

    # then the same page reads in Kazakh
    assert page.url.startswith(f"{base}/kk/dashboard/{WKO}/")
    assert page.evaluate("() => document.documentElement.lang") == "kk"

    # when they go back one day on the dashboard
    keys.activate('.day-links a[rel="prev"]')
    day_before = as_of_in(page.url)
    # and then change the day in its date field with an arrow key (on the part of the date the field starts on)
    keys.tab_to(".as-of-form input[type=date]")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then the dashboard shows each day chosen
    shown = as_of_in(page.url)
    assert day_before is not None and shown is not None and shown < day_before
    assert page.locator(".as-of-form input[type=date]").input_value() == shown.isoformat()

    # when they open the PDF report
    keys.tab_to('a[href*="report.pdf"]')
    with page.expect_download() as download:
        page.keyboard.press("Enter")

    # then it is the region's PDF of that day
    path = download.value.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    assert f"as_of={shown.isoformat()}" in download.value.url

    # and every one of the focus stops on the way showed where the focus was
    assert keys.stops > 20
    assert keys.unseen == [], "\n".join(keys.unseen)
