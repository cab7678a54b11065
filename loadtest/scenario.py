"""What the simulated people do: dashboard readers and statistics staff saving daily counts.

Readers come in four kinds, by their number: a region official and a national official (signed in,
reading dashboards), a member of the public (public pages and the widget), and an API client with a
read token (coverage and the briefing). Staff sign in through the sign-in form (session + CSRF), then
save counts for the district-days that are theirs alone, in turn through the district day form and
through the API with their write token. Each write carries a value no other write has, and every
accepted one (2xx, or the form's 302) is remembered for the checks after the run.

Every request is made without following redirects: a reader sent to the sign-in page, or a form
answered with anything but its redirect, counts as an error.
"""

import itertools
import random
import re
import uuid
from dataclasses import dataclass, field

from locust import FastHttpUser, between, task

LANGUAGES = ("kk", "ru", "en")
REASON = "load test"
_HIDDEN = re.compile(r'<input[^>]*name="(csrfmiddlewaretoken|version|date)"[^>]*value="([^"]*)"')
_HIDDEN_REVERSED = re.compile(r'<input[^>]*value="([^"]*)"[^>]*name="(csrfmiddlewaretoken|version|date)"')


@dataclass
class Write:
    """One attempted save: where, what, how, and whether the server accepted it."""

    staff: int
    kato: str
    date: str
    online: int
    offline: int
    via: str
    accepted: bool = False


@dataclass
class Plan:
    """Everything the simulated people need, prepared in the database before the run."""

    region_kato: str
    district_katos: list[str]
    reader_sessions: list[tuple[str, str]]  # per reader: (kind, session key or token key)
    staff: list[dict]  # per staff: username, password, token, slots [(kato, iso date)]
    first_value: int  # above every online figure stored before the run, so each write changes its row
    session_cookie: str = "sessionid"
    signed_in: int = 0  # staff past their first sign-in attempt: the load's clock starts when all are
    stopping: bool = False  # set at the end: nobody starts anything new
    busy: int = 0  # users in the middle of a task: the run stops once none is, so no request is cut off
    writes: list[Write] = field(default_factory=list)
    _values: itertools.count = field(default=None, repr=False)
    _readers: itertools.count = field(default_factory=itertools.count, repr=False)
    _staff: itertools.count = field(default_factory=itertools.count, repr=False)

    def next_value(self) -> int:
        # One process, cooperative greenlets: a shared counter needs no lock.
        if self._values is None:
            self._values = itertools.count(self.first_value)
        return next(self._values)


PLAN: Plan | None = None


def _hidden_fields(html: str) -> dict:
    found = dict(_HIDDEN.findall(html))
    found.update({name: value for value, name in _HIDDEN_REVERSED.findall(html) if name not in found})
    return found


def _check(response, expected: tuple[int, ...]) -> bool:
    """Mark the request a success only with an expected status; the failure text becomes the error's kind."""
    if response.status_code in expected:
        response.success()
        return True
    if response.status_code == 0 or response.status_code is None:
        response.failure(f"no response ({response.error!r})"[:120])
    else:
        response.failure(f"HTTP {response.status_code}")
    return False


class Reader(FastHttpUser):
    """Someone keeping a dashboard open: a page every 0.5–2 s."""

    wait_time = between(0.5, 2.0)
    fixed_count = 0

    def on_start(self):
        self.number = next(PLAN._readers)
        self.kind, secret = PLAN.reader_sessions[self.number % len(PLAN.reader_sessions)]
        self.headers = {}
        if self.kind == "api":
            self.headers["Authorization"] = f"Token {secret}"
        elif secret:
            self.headers["Cookie"] = f"{PLAN.session_cookie}={secret}"

    def _get(self, url: str, name: str):
        with self.client.get(url, name=name, headers=self.headers, allow_redirects=False, catch_response=True) as response:
            _check(response, (200,))

    @task
    def read(self):
        if PLAN.stopping:
            return
        PLAN.busy += 1
        try:
            self._read()
        finally:
            PLAN.busy -= 1

    def _read(self):
        language = random.choice(LANGUAGES)
        region = PLAN.region_kato
        if self.kind == "region":
            if random.random() < 0.6:
                self._get(f"/{language}/dashboard/{region}/", "dashboard: region")
            else:
                kato = random.choice(PLAN.district_katos)
                self._get(f"/{language}/dashboard/district/{kato}/", "dashboard: district")
        elif self.kind == "national":
            if random.random() < 0.5:
                self._get(f"/{language}/dashboard/", "dashboard: national")
            else:
                self._get(f"/{language}/dashboard/{region}/", "dashboard: region")
        elif self.kind == "public":
            choice = random.random()
            if choice < 0.4:
                self._get(f"/{language}/public/", "public page")
            elif choice < 0.8:
                self._get(f"/{language}/public/{region}/", "public page: region")
            else:
                self._get(f"/{language}/widget/{region}/", "widget")
        elif random.random() < 0.6:
            self._get(f"/api/v1/coverage/?level=district&region={region}", "api: coverage")
        else:
            self._get(f"/api/v1/briefing/?region={region}&lang={language}", "api: briefing")


class Staff(FastHttpUser):
    """Statistics staff entering the day's figures: a save every 1–3 s, through the form and the API in turn."""

    wait_time = between(1.0, 3.0)
    fixed_count = 0

    def on_start(self):
        self.number = next(PLAN._staff)
        self.account = PLAN.staff[self.number]
        self.slots = itertools.cycle(self.account["slots"])
        # Odd-numbered staff start with the API, so even a short run has writes of both kinds.
        self.saves = itertools.count(self.number % 2)
        self.signed_in = self._sign_in()
        PLAN.signed_in += 1

    def _sign_in(self) -> bool:
        with self.client.get("/ru/login/", name="sign-in page", allow_redirects=False, catch_response=True) as page:
            if not _check(page, (200,)):
                return False
            token = _hidden_fields(page.text).get("csrfmiddlewaretoken", "")
        form = {"csrfmiddlewaretoken": token, "username": self.account["username"], "password": self.account["password"]}
        with self.client.post(
            "/ru/login/", data=form, name="sign in", headers={"Referer": self.host + "/ru/login/"},
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            return _check(response, (302,))

    @task
    def save(self):
        if PLAN.stopping:
            return
        PLAN.busy += 1
        try:
            self._save()
        finally:
            PLAN.busy -= 1

    def _save(self):
        if not self.signed_in:
            self.signed_in = self._sign_in()
            return
        kato, day = next(self.slots)
        value = PLAN.next_value()
        write = Write(staff=self.number, kato=kato, date=day, online=value, offline=value // 2, via="form")
        if next(self.saves) % 2:
            write.via = "api"
        PLAN.writes.append(write)
        write.accepted = self._save_by_form(write) if write.via == "form" else self._save_by_api(write)

    def _save_by_form(self, write: Write) -> bool:
        url = f"/ru/entry/district/{write.kato}/?date={write.date}&mode=daily"
        with self.client.get(url, name="entry: district day", allow_redirects=False, catch_response=True) as page:
            if not _check(page, (200,)):
                return False
            hidden = _hidden_fields(page.text)
        form = {
            "csrfmiddlewaretoken": hidden.get("csrfmiddlewaretoken", ""),
            "date": hidden.get("date", write.date),
            "mode": "daily",
            "online": str(write.online),
            "offline": str(write.offline),
            "reason": REASON,
            "version": hidden.get("version", ""),
        }
        with self.client.post(
            url, data=form, name="save: district day form", headers={"Referer": self.host + url},
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            return _check(response, (302,))

    def _save_by_api(self, write: Write) -> bool:
        body = {
            "district": write.kato,
            "date": write.date,
            "online": write.online,
            "offline": write.offline,
            "mode": "daily",
            "reason": REASON,
        }
        headers = {"Authorization": f"Token {self.account['token']}", "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post(
            "/api/v1/daily-counts/", json=body, name="save: api", headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            return _check(response, (200, 201))
