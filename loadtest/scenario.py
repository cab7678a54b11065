"""What the simulated people do: dashboard readers and statistics staff saving daily counts.

Readers come in four kinds, by their number: a region official and a national official (signed in,
reading dashboards), a member of the public (public pages and the widget), and an API client with a
read token (coverage and the briefing). Staff sign in through the sign-in form (session + CSRF), then
save counts for the district-days that are theirs alone, in turn through the district day form and
through the API with their write token. Region staff (BatchStaff) save many districts at once, in turn
through the region grid (a day of every district) and through an import (a file of two days of every
district, previewed then applied): days of their own, in the same districts the single saves write to,
so every batch meets single saves on its districts' locks. Each write carries a value no other write
has, and every accepted one (2xx, or the form's 302) is remembered for the checks after the run.

Every request is made without following redirects: a reader sent to the sign-in page, or a form
answered with anything but its redirect, counts as an error.
"""

import itertools
import random
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

LANGUAGES = ("kk", "ru", "en")
REASON = "load test"
# CONFIRMED: every write carries a figure above all that was stored before (so no two writes look alike and a
# lost one shows), which the plausibility checks rightly call implausible for a district. The load confirms its
# figures with a reason, as staff do for a real outlier, and so still goes through the checks on every save.
_HIDDEN = re.compile(r'<input[^>]*name="(csrfmiddlewaretoken|version|date)"[^>]*value="([^"]*)"')
_HIDDEN_REVERSED = re.compile(r'<input[^>]*value="([^"]*)"[^>]*name="(csrfmiddlewaretoken|version|date)"')
_GRID_VERSION = re.compile(r'<input[^>]*name="(\d{9})-version"[^>]*value="(\d+)"')
_IMPORT_TOKEN = re.compile(r'<input[^>]*name="token"[^>]*value="([^"]+)"')


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
    batch_staff: list[dict]  # per region staff member: username, password, days [iso date] of their own
    first_value: int  # above every online figure stored before the run, so each write changes its row
    session_cookie: str = "sessionid"
    signed_in: int = 0  # staff past their first sign-in attempt: the load's clock starts when all are
    stopping: bool = False  # set at the end: nobody starts anything new
    busy: int = 0  # users in the middle of a task: the run stops once none is, so no request is cut off
    writes: list[Write] = field(default_factory=list)
    _values: itertools.count = field(default=None, repr=False)
    _readers: itertools.count = field(default_factory=itertools.count, repr=False)
    _staff: itertools.count = field(default_factory=itertools.count, repr=False)
    _batch_staff: itertools.count = field(default_factory=itertools.count, repr=False)

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


class SignsIn:
    """Signs in through the sign-in form, as a person does: the page for its CSRF token, then the POST."""

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


class Staff(SignsIn, FastHttpUser):
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
            "confirm_implausible": "on",  # see CONFIRMED
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
            "confirm_implausible": True,  # see CONFIRMED
        }
        headers = {"Authorization": f"Token {self.account['token']}", "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post(
            "/api/v1/daily-counts/", json=body, name="save: api", headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            return _check(response, (200, 201))


class BatchStaff(SignsIn, FastHttpUser):
    """Region staff saving many districts at once: every 1–3 s the region grid for a day, or a file of two days, in turn."""

    wait_time = between(1.0, 3.0)
    fixed_count = 0

    def on_start(self):
        self.number = next(PLAN._batch_staff)
        self.account = PLAN.batch_staff[self.number]
        self.days = itertools.cycle(self.account["days"])
        self.saves = itertools.count(self.number % 2)
        self.signed_in = self._sign_in()
        PLAN.signed_in += 1

    @task
    def save(self):
        if PLAN.stopping:
            return
        PLAN.busy += 1
        try:
            if not self.signed_in:
                self.signed_in = self._sign_in()
            elif next(self.saves) % 2:
                self._import([next(self.days), next(self.days)])
            else:
                self._grid(next(self.days))
        finally:
            PLAN.busy -= 1

    def _writes(self, days: list[str], via: str) -> list[Write]:
        writes = []
        for day in days:
            for kato in PLAN.district_katos:
                value = PLAN.next_value()
                writes.append(Write(staff=-1 - self.number, kato=kato, date=day, online=value, offline=value // 2, via=via))
        PLAN.writes.extend(writes)
        return writes

    def _accepted(self, writes: list[Write], accepted: bool) -> None:
        for write in writes:
            write.accepted = accepted

    def _grid(self, day: str) -> None:
        url = f"/ru/entry/region/{PLAN.region_kato}/?date={day}&mode=daily"
        with self.client.get(url, name="entry: region grid", allow_redirects=False, catch_response=True) as page:
            if not _check(page, (200,)):
                return
            versions = dict(_GRID_VERSION.findall(page.text))
            token = _hidden_fields(page.text).get("csrfmiddlewaretoken", "")
        writes = self._writes([day], "grid")
        form = {"csrfmiddlewaretoken": token, "date": day, "mode": "daily", "reason": REASON}
        for write in writes:
            form[f"{write.kato}-online"] = str(write.online)
            form[f"{write.kato}-offline"] = str(write.offline)
            form[f"{write.kato}-version"] = versions.get(write.kato, "0")
            form[f"{write.kato}-online-was"] = form[f"{write.kato}-offline-was"] = ""
            form[f"{write.kato}-confirm"] = "on"  # see CONFIRMED
        with self.client.post(
            url, data=urlencode(form), name="save: region grid", allow_redirects=False, catch_response=True,
            headers={"Referer": self.host + url, "Content-Type": "application/x-www-form-urlencoded"},
        ) as response:  # fmt: skip
            self._accepted(writes, _check(response, (302,)))

    def _import(self, days: list[str]) -> None:
        with self.client.get("/ru/entry/import/", name="entry: import page", allow_redirects=False, catch_response=True) as page:
            if not _check(page, (200,)):
                return
            token = _hidden_fields(page.text).get("csrfmiddlewaretoken", "")
        writes = self._writes(days, "import")
        lines = ["kato;date;online;offline"] + [f"{w.kato};{w.date};{w.online};{w.offline}" for w in writes]
        fields = {"csrfmiddlewaretoken": token, "mode": "daily", "reason": REASON, "confirm_implausible": "on"}  # see CONFIRMED
        boundary = uuid.uuid4().hex
        body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items())
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="counts.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n" + "\r\n".join(lines) + f"\r\n\r\n--{boundary}--\r\n"
        )
        headers = {"Referer": self.host + "/ru/entry/import/", "Content-Type": f"multipart/form-data; boundary={boundary}"}
        with self.client.post(
            "/ru/entry/import/", data=body.encode(), name="import: preview", headers=headers,
            allow_redirects=False, catch_response=True,
        ) as preview:  # fmt: skip
            if not _check(preview, (200,)):
                return
            found = _IMPORT_TOKEN.search(preview.text)
            if found is None:
                preview.failure("the preview offers nothing to apply")
                return
        form = {"csrfmiddlewaretoken": token, "token": found.group(1), "confirm_implausible": "on"}  # carried as the page does
        with self.client.post(
            "/ru/entry/import/apply/", data=urlencode(form), name="save: import apply", allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + "/ru/entry/import/", "Content-Type": "application/x-www-form-urlencoded"},
        ) as response:  # fmt: skip
            self._accepted(writes, _check(response, (302,)))
