"""Help pages (public, per brand, plugin content) and the planned-maintenance banner."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from core.cli import main
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.notifications.models import MaintenanceWindow
from tests.conftest import client_for
from tests.test_browser import audit, live_portal, page  # noqa: F401 - the browser fixtures

LANGUAGES = ("en", "pl", "cs", "uk", "it")
BRANDS = {
    # tenant: (plugin, host)
    "innogy": ("innogy_pl", "innogy.test"),
    "cez": ("cez_cz", "cez.test"),
    "doe": ("doe_ua", "doe.test"),
    "italiangas": ("italiangas_it", "italiangas.test"),
}
HELP_PAGES = ("/help/", "/help/contact", "/help/accessibility")
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def brands_app(make_app):
    return make_app(TENANTS={code: {"plugin": plugin, "hosts": [host]} for code, (plugin, host) in BRANDS.items()})


def _supplier(app, code):
    return app.extensions["portal_tenants"][code].supplier


@pytest.mark.parametrize("brand", sorted(BRANDS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_help_pages_are_public_in_every_brand_and_language(brands_app, brand, language):
    client = client_for(brands_app, BRANDS[brand][1], language=language)
    supplier = _supplier(brands_app, brand)
    for path in HELP_PAGES:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in html
        assert supplier.support_phone in html and supplier.support_email in html
        for target in HELP_PAGES:  # the footer and the help navigation link all three
            assert f'href="{target}"' in html


def test_faq_is_core_content_and_the_plugin_adds_its_own(brands_app):
    cez = client_for(brands_app, "cez.test").get("/help/").get_data(as_text=True)
    innogy = client_for(brands_app, "innogy.test").get("/help/").get_data(as_text=True)
    doe = client_for(brands_app, "doe.test").get("/help/").get_data(as_text=True)
    for html in (cez, innogy, doe):
        assert "How do I create a login?" in html and "How do I submit a meter reading?" in html
    assert "Where do I find my EAN or EIC code?" in cez and "How do I learn about a planned power outage?" in cez
    assert "EAN" not in innogy and "Questions about innogy Polska" in innogy
    assert "Questions about" not in doe


def test_faq_speaks_the_readers_language(brands_app):
    html = client_for(brands_app, "cez.test", language="cs").get("/help/").get_data(as_text=True)
    assert '<html lang="cs">' in html
    assert "Zákaznická linka" in html and "Customer service:" not in html  # the footer, from the core catalog


def test_contact_page_has_the_suppliers_own_content(brands_app):
    cez = client_for(brands_app, "cez.test").get("/help/contact").get_data(as_text=True)
    assert "Customer service of ČEZ Prodej" in cez and 'href="tel:+420800000000"' in cez
    assert "Power failures and outages" in cez
    innogy = client_for(brands_app, "innogy.test").get("/help/contact").get_data(as_text=True)
    assert "except for breaks for data updates and planned maintenance" in innogy
    assert "Power failures" not in innogy


def test_accessibility_statement(brands_app):
    html = client_for(brands_app, "italiangas.test").get("/help/accessibility").get_data(as_text=True)
    assert "WCAG" in html and "2.1" in html and "level AA" in html
    assert "How we tested" in html and "axe-core" in html
    assert "Report a problem" in html
    supplier = _supplier(brands_app, "italiangas")
    assert f'href="mailto:{supplier.support_email}"' in html


def test_help_is_in_the_navigation_once_signed_in(signed_in):
    html = signed_in.get("/", follow_redirects=True).get_data(as_text=True)
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/help/"' in nav


# --- planned maintenance ----------------------------------------------------------------------


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
            assert "From 3/4/26, 10:00\u202fPM to 3/5/26, 2:00\u202fAM" in banner  # on the Warsaw clock
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


# --- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium is not installed")
@pytest.mark.parametrize("brand", ["innogy", "cez"])
def test_help_pages_and_banner_pass_an_accessibility_audit(live_portal, page, brand):  # noqa: F811
    from core.demo.service import prepare_demo

    app, base = live_portal
    with app.app_context():
        prepare_demo(app)  # innogy's demo announces a maintenance window
    page.goto(base + "/login")
    banner = page.locator(".maintenance-banner[role=status]")
    assert banner.count() == (1 if brand == "innogy" else 0)
    audit(page)
    for path in HELP_PAGES:
        page.goto(base + path)
        audit(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.console_errors == []
