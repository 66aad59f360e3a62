"""Celery beat: a schedule the default (shelve) scheduler can keep, on each tenant's clock, and
the real ``portal beat`` driving a real ``portal worker`` on Redis."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import signal
import subprocess
import time
import uuid

import pytest
import time_machine

from core.config import ConfigurationError
from core.notifications.service import READING_JOB
from plugins.doe_ua import plugin as doe_plugin
from tests.conftest import INNOGY_HOST, SUPPORT, client_for
from tests.support.broker import forget_queue, redis_running
from tests.support.processes import PORTAL, portal_env

DOE_TENANTS = {"doe": {"plugin": "doe_ua", "hosts": ["doe.test"]}}
KYIV = dt.timezone(dt.timedelta(hours=2))  # Europe/Kyiv in December


def _schedule(app, entry: str):
    return app.extensions["celery"].conf.beat_schedule[entry]["schedule"]


def test_a_daily_job_runs_at_its_hour_on_the_tenants_clock_and_survives_the_shelve(make_app):
    app = make_app(plugins=[doe_plugin], TENANTS=DOE_TENANTS)
    daily = _schedule(app, "doe:ordered_bills")  # at 2:00 in Kyiv
    kept = pickle.loads(pickle.dumps(app.extensions["celery"].conf.beat_schedule))["doe:ordered_bills"]["schedule"]
    assert kept == daily
    last_run = dt.datetime(2026, 12, 1, 2, 0, tzinfo=KYIV)
    for schedule in (daily, kept):
        with time_machine.travel(dt.datetime(2026, 12, 2, 1, 30, tzinfo=KYIV), tick=False):  # 23:30 UTC
            due, next_check = schedule.is_due(last_run)
            assert not due and next_check == pytest.approx(30 * 60, abs=1)
        with time_machine.travel(dt.datetime(2026, 12, 2, 2, 0, 5, tzinfo=KYIV), tick=False):
            assert schedule.is_due(last_run)[0]


def test_job_schedule_setting_moves_a_plugins_job(make_app):
    from core.cli import main

    app = make_app(plugins=[doe_plugin], TENANTS=DOE_TENANTS, JOB_SCHEDULE={
        "ordered_bills": {"at_hour": 4}, f"doe:{READING_JOB}": {"every": 90},
    })
    assert _schedule(app, f"doe:{READING_JOB}") == dt.timedelta(seconds=90)
    listed = app.test_cli_runner().invoke(main, ["jobs", "list"]).output
    assert "doe\tordered_bills\tdaily at 4:00" in listed
    assert f"doe\t{READING_JOB}\tevery 0:01:30" in listed


@pytest.mark.parametrize(("setting", "message"), [
    ("ordered_bills=60", "JOB_SCHEDULE is a mapping of job names"),
    ({"ordered-bils": {"every": 60}}, "names no job of any tenant: ordered-bils"),
    ({"ordered_bills": 60}, "JOB_SCHEDULE of 'ordered_bills'"),
    ({"ordered_bills": {"every": 0}}, "JOB_SCHEDULE of 'ordered_bills'"),
    ({"ordered_bills": {"at_hour": 24}}, "JOB_SCHEDULE of 'ordered_bills'"),
    ({"ordered_bills": {"every": 60, "at_hour": 3}}, "JOB_SCHEDULE of 'ordered_bills'"),
])
def test_a_job_schedule_that_cannot_work_stops_the_start(make_app, setting, message):
    with pytest.raises(ConfigurationError, match=message):
        make_app(plugins=[doe_plugin], TENANTS=DOE_TENANTS, JOB_SCHEDULE=setting)


# --- the real processes --------------------------------------------------------------------



def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0]


def _wait_until(check, what: str, processes: list[subprocess.Popen], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout  # generous: CI machines can be busy
    while time.monotonic() < deadline:
        if check():
            return
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"{process.args[3:]} ended ({process.returncode}):\n{process.stdout.read()}")
        time.sleep(0.3)
    raise AssertionError(f"{what} within {timeout} s")


@pytest.mark.slow
@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379 (beat and the worker need a broker)")
def test_beat_relays_the_outbox_and_runs_plugin_jobs_through_a_worker(make_app, migrated, tmp_path, smtp_server,
                                                                       demo_identity):
    from tests.readings.test_readings import _identity_with, _point_id
    from tests.service_requests.test_service_requests import CONTACT, _linked
    from tests.support.processes import BackendProcess

    backend = BackendProcess(tmp_path / "backend")
    backend.start()
    tenants = {"innogy": {"plugin": "innogy_pl", "hosts": [INNOGY_HOST], "settings": {
        "backend_url": backend.url, "backend_timeout": 2, "reading_reminder_day": 1,  # reminders due today
    }}, **DOE_TENANTS}  # its jobs stay daily: beat keeps crontabs on the tenant's clock in its shelve
    app = make_app(TENANTS=tenants, OUTBOX_BACKOFF_BASE=dt.timedelta(seconds=1),
                   OUTBOX_BACKOFF_CAP=dt.timedelta(seconds=1))
    identity, point = _identity_with(app, demo_identity, capable=True)
    client = client_for(app)
    account, key = _linked(app, client, smtp_server, identity, "beat@example.com")
    subscribed = client.submit(f"/notifications/points/{_point_id(app, point.identifier)}",
                               {"reading_reminder__email": "1"})
    assert subscribed.status_code == 302

    backend.stop()  # the request waits in the outbox: nothing but the schedule delivers it now
    location = client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT}).location
    assert "accepted by the supplier" not in client.get(location).get_data(as_text=True)
    backend.start()
    smtp_server.clear()

    broker = "redis://127.0.0.1:6379/7"
    queue = f"portal-beat-test-{uuid.uuid4().hex[:12]}"  # concurrent runs never share a queue
    env = portal_env(SECRET_KEY="beat-test", SQLALCHEMY_DATABASE_URI=migrated,
        TENANTS=json.dumps(tenants), DEFAULT_TENANT="null",
        THEME_PATHS=json.dumps([str(SUPPORT / "themes")]),
        CELERY_BROKER_URL=broker, CELERY_QUEUE=queue,
        INSTANCE_PATH=str(tmp_path / "instance"),
        MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port),
        RELAY_INTERVAL="1", OUTBOX_BACKOFF_BASE="1",  # seconds
        JOB_SCHEDULE=json.dumps({f"innogy:{READING_JOB}": {"every": 2}}),
    )
    output = subprocess.PIPE, subprocess.STDOUT
    worker = subprocess.Popen([*PORTAL, "worker", "--pool=solo", "--without-gossip", "--without-mingle"],
                              env=env, stdout=output[0], stderr=output[1], text=True)
    beat = subprocess.Popen([*PORTAL, "beat"], env=env, stdout=output[0], stderr=output[1], text=True)
    try:
        _wait_until(lambda: "accepted by the supplier" in client.get(location).get_data(as_text=True),
                    "the scheduled relay delivered the request", [worker, beat])
        _wait_until(lambda: any(point.identifier in m["Subject"] for m in smtp_server.messages),
                    "the reading reminder job ran on schedule", [worker, beat])
    finally:
        beat_log, worker_log = _stop(beat), _stop(worker)
        backend.stop()
        forget_queue(broker, queue)
    assert "Sending due task relay-outbox (portal.relay_all)" in beat_log, beat_log
    assert f"Sending due task innogy:{READING_JOB} (portal.plugin_job)" in beat_log, beat_log
    assert "portal.plugin_job" in worker_log and "Traceback" not in worker_log, worker_log
    assert list((tmp_path / "instance").glob("celerybeat-schedule*")), "beat keeps its schedule in the instance folder"
    reminders = [m for m in smtp_server.messages if point.identifier in m["Subject"]]
    assert len(reminders) == 1, "a reminder goes once per period, however often the job runs"
