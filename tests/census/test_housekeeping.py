"""The nightly housekeeping removes what has outlived its purpose, and nothing that was accepted."""

import datetime

import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from census.housekeeping import remove_expired_records
from census.idempotency import KEY_LIFETIME
from census.models import AuditEntry, DailyCount, IdempotentRequest, PendingImport
from census.services import record_count
from census.tasks import remove_expired_records_task

NOW = datetime.datetime(2021, 11, 20, 22, 15, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


def _sign_ins(age: datetime.timedelta, username: str) -> None:
    at = NOW - age
    AccessLog.objects.filter(pk=AccessLog.objects.create(username=username, ip_address="10.0.0.1").pk).update(attempt_time=at)
    AccessAttempt.objects.filter(
        pk=AccessAttempt.objects.create(username=username, ip_address="10.0.0.1", failures_since_start=1).pk
    ).update(attempt_time=at)
    AccessFailureLog.objects.filter(pk=AccessFailureLog.objects.create(username=username, ip_address="10.0.0.1").pk).update(
        attempt_time=at
    )


def _answer(user, key: str, age: datetime.timedelta) -> None:
    stored = IdempotentRequest.objects.create(key=key, user=user, request_hash="0" * 64, status_code=201, response_body={})
    IdempotentRequest.objects.filter(pk=stored.pk).update(created_at=NOW - age)


def _session(expires: datetime.datetime) -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return store.session_key


@time_machine.travel(NOW, tick=False)
@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db", CENSUS_SIGNIN_LOG_DAYS=90)
def test_what_outlived_its_purpose_goes_and_the_rest_stays(campaign, district, user):
    # given records just past their while and just within it, and a count with its audit entry
    _sign_ins(90 * DAY + SECOND, "old.signin")
    _sign_ins(90 * DAY - SECOND, "recent.signin")
    _answer(user, "old-key", KEY_LIFETIME + SECOND)
    _answer(user, "recent-key", KEY_LIFETIME - SECOND)
    expired_upload = PendingImport.objects.keep(user=user, content=b"x", filename="a.csv", mode="daily", reason="")
    live_upload = PendingImport.objects.keep(user=user, content=b"y", filename="b.csv", mode="daily", reason="")
    PendingImport.objects.filter(pk=expired_upload.pk).update(expires_at=NOW - SECOND)
    PendingImport.objects.filter(pk=live_upload.pk).update(expires_at=NOW + SECOND)
    expired_session = _session(NOW - SECOND)
    live_session = _session(NOW + SECOND)
    record_count(campaign=campaign, district=district, date=datetime.date(2021, 10, 5), online=10, offline=5, source="form")
    kept = (DailyCount.objects.count(), AuditEntry.objects.count())

    # when
    removed = remove_expired_records()

    # then
    assert removed == {
        "idempotent_requests": 1, "pending_imports": 1, "sign_ins": 1, "sign_in_failures": 2, "sessions": 1,
    }  # fmt: skip
    assert set(AccessLog.objects.values_list("username", flat=True)) == {"recent.signin"}
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"recent.signin"}
    assert set(AccessFailureLog.objects.values_list("username", flat=True)) == {"recent.signin"}
    assert set(IdempotentRequest.objects.values_list("key", flat=True)) == {"recent-key"}
    assert list(PendingImport.objects.values_list("pk", flat=True)) == [live_upload.pk]
    assert set(Session.objects.values_list("session_key", flat=True)) == {live_session} - {expired_session}
    assert (DailyCount.objects.count(), AuditEntry.objects.count()) == kept


@override_settings(CENSUS_SIGNIN_LOG_DAYS=7, CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS=30)
def test_sign_ins_the_known_address_rule_reads_are_kept_however_short_the_log_days(db):
    # given a sign-in 20 days ago: the lockout's "known address" exception still counts it
    _sign_ins(20 * DAY, "official")

    # when
    remove_expired_records(NOW)

    # then
    assert AccessLog.objects.filter(username="official").exists()


def test_the_nightly_job_is_scheduled_and_runs_the_housekeeping(db):
    # given an answer kept well past its lifetime
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert remove_expired_records_task.name in scheduled
    AccessLog.objects.filter(pk=AccessLog.objects.create(username="someone", ip_address="10.0.0.2").pk).update(
        attempt_time=timezone.now() - 400 * DAY
    )

    # when the job runs (eagerly here, as on a laptop)
    remove_expired_records_task.delay()

    # then
    assert not AccessLog.objects.filter(username="someone").exists()
