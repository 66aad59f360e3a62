"""The planned-maintenance banner: windows announced per tenant in its time and locale, the CLI,
suppliers without the banner, and the demo's window."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select

from core.cli import main
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.maintenance.models import MaintenanceWindow
from tests.conftest import client_for

WARSAW = ZoneInfo("Europe/Warsaw")


def _add(app, *args):
    result = app.test_cli_runner().invoke(main, ["maintenance", "add", *args])
    return result


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(WARSAW):%Y-%m-%d %H:%M}"


def _windows(app, tenant="innogy"):
    with app.app_context(), tenant_context(tenant):
        return db.session.execute(select(func.count()).select_from(MaintenanceWindow)).scalar_one()


def _banner(html: str) -> str | None:
    match = re.search(r'<div class="maintenance-banner" role="status">(.*?)</div>', html, re.S)
    return match.group(1) if match else None


def test_announced_window_shows_on_every_page_in_the_tenants_time_and_locale(app, client):
    # a fixed clock: a single-digit day and month, so the locale's date pattern shows exactly
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=WARSAW), tick=True):
        start = dt.datetime(2026, 3, 4, 22, 0, tzinfo=WARSAW)
        end = start + dt.timedelta(hours=4)
        result = _add(app, "--tenant", "innogy", "--from", _local(start), "--to", _local(end),
                      "--note", "Płatności online")
        assert result.exit_code == 0, result.output

        for path in ("/login", "/register", "/help/"):
            banner = _banner(client.get(path).get_data(as_text=True))
            assert banner is not None, path
            assert "Planned maintenance." in banner and "Płatności online" in banner
            assert "From 3/4/2026, 10:00\u202fPM to 3/5/2026, 2:00\u202fAM" in banner  # on the Warsaw clock
        polish = _banner(client_for(app, language="pl").get("/login").get_data(as_text=True))
        assert "Od 4.03.2026, 22:00 do 5.03.2026, 02:00" in polish


def test_window_is_announced_only_from_n_days_before_until_its_end(app, client):
    start = (dt.datetime.now(WARSAW) + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    assert _add(app, "--tenant", "innogy", "--from", _local(start),
                "--to", _local(start + dt.timedelta(hours=2)), "--announce-days", "3").exit_code == 0
    assert _banner(client.get("/login").get_data(as_text=True)) is None
    assert _add(app, "--tenant", "innogy", "--from", _local(start), "--to", _local(start + dt.timedelta(hours=2)),
                "--announce-days", "11").exit_code == 0
    assert _banner(client.get("/login").get_data(as_text=True)) is not None


def test_window_in_progress_and_over(app, client):
    with app.app_context(), tenant_context("innogy"):
        now = dt.datetime.now(dt.UTC)
        db.session.add_all([
            MaintenanceWindow(starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1),
                              announce_from=now - dt.timedelta(days=3)),
            MaintenanceWindow(starts_at=now - dt.timedelta(hours=5), ends_at=now - dt.timedelta(hours=1),
                              announce_from=now - dt.timedelta(days=3), note="already over"),
        ])
        db.session.commit()
    banner = _banner(client.get("/login").get_data(as_text=True))
    assert "Maintenance in progress." in banner and "already over" not in banner


def test_windows_belong_to_their_tenant(app):
    start = dt.datetime.now(WARSAW) + dt.timedelta(days=1)
    assert _add(app, "--tenant", "innogy", "--from", _local(start),
                "--to", _local(start + dt.timedelta(hours=1))).exit_code == 0
    assert _banner(client_for(app).get("/login").get_data(as_text=True)) is not None
    assert _banner(client_for(app, "second.test").get("/login").get_data(as_text=True)) is None


def test_cli_lists_refuses_and_removes(app, client):
    start = dt.datetime.now(WARSAW) + dt.timedelta(days=1)
    runner = app.test_cli_runner()
    bad = _add(app, "--tenant", "innogy", "--from", _local(start), "--to", _local(start - dt.timedelta(hours=1)))
    assert bad.exit_code != 0 and "end after it starts" in bad.output
    assert _add(app, "--tenant", "innogy", "--from", "tomorrow", "--to", "later").exit_code != 0
    assert _add(app, "--tenant", "nope", "--from", _local(start), "--to", _local(start)).exit_code != 0
    assert _windows(app) == 0

    assert _add(app, "--tenant", "innogy", "--from", _local(start), "--to", _local(start + dt.timedelta(hours=3))).exit_code == 0
    listed = runner.invoke(main, ["maintenance", "list", "--tenant", "innogy"])
    assert _local(start) in listed.output and "1 windows" in listed.output
    window_id = listed.output.split("\t", 1)[0]
    assert runner.invoke(main, ["maintenance", "remove", window_id, "--tenant", "second"]).exit_code != 0
    assert runner.invoke(main, ["maintenance", "remove", window_id, "--tenant", "innogy"]).exit_code == 0
    assert _banner(client.get("/login").get_data(as_text=True)) is None


def test_suppliers_without_the_banner_capability_refuse_windows(make_app):
    from plugins.cez_cz import plugin

    app = make_app(plugins=[plugin], TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    start = dt.datetime.now(WARSAW) + dt.timedelta(days=1)
    result = _add(app, "--tenant", "cez", "--from", _local(start), "--to", _local(start + dt.timedelta(hours=1)))
    assert result.exit_code != 0 and "does not announce maintenance" in result.output
    assert _windows(app, "cez") == 0


def test_the_demo_announces_a_window_for_innogy(make_app):
    from core.demo.service import prepare_demo

    app = make_app(DEMO=True, MAIL_CAPTURE=True,
                   TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"]},
                            "cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    with app.app_context():
        lines = prepare_demo(app)
    assert any("planned maintenance announced" in line for line in lines)
    assert _windows(app, "innogy") == 1 and _windows(app, "cez") == 0
    with app.app_context():
        prepare_demo(app)  # again: still one
    assert _windows(app, "innogy") == 1
    assert _banner(client_for(app).get("/login").get_data(as_text=True)) is not None
