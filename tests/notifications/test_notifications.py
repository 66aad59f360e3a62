"""Notifications through HTTP, the jobs and the CLI: choices per supply point, planned outage
alerts by e-mail (real SMTP) and by ČEZ's SMS channel, reading reminders, once each."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from sqlalchemy import func, select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.hookspecs import hookimpl
from core.models import SupplyPoint
from core.notifications.models import NotificationContact, NotificationPreference, SentNotification
from core.notifications.service import OUTAGE_JOB, READING_JOB, ReadingPeriod
from core.readings.service import local_today
from plugins.cez_cz import plugin as cez_plugin
from plugins.cez_cz.sms import gateway_for
from tests.conftest import client_for, linked_customer, register_and_activate, sign_in
from tests.support.browser import audit, live_portal, page  # noqa: F401 - the browser fixtures

CEZ_HOST = "cez.test"
CEZ_TENANTS = {"cez": {"plugin": "cez_cz", "hosts": [CEZ_HOST]}}
LANGUAGES = ("en", "pl", "cs", "uk", "it")


@pytest.fixture
def cez_app(make_app):
    return make_app(plugins=[cez_plugin], TENANTS=CEZ_TENANTS)


def _tenant(app, code):
    return app.extensions["portal_tenants"][code]


def _cez_customer_with_outages(app):
    """A demo customer, the code they link with, and an electricity point with outages coming."""
    adapter = _tenant(app, "cez").adapter
    for identity in adapter.demo_identities():
        for point in adapter.supply_points(identity["account_number"]):
            if adapter.planned_outages(point.identifier):
                return identity, point
    raise AssertionError("no demo customer with planned outages")


def _signed_in(app, smtp_server, email, host=CEZ_HOST, language="en"):
    client = client_for(app, host, language=language)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    return client


def _point_id(app, tenant, identifier):
    with app.app_context(), tenant_context(tenant):
        return db.session.execute(select(SupplyPoint.id).where(SupplyPoint.identifier == identifier)).scalar_one()


def _count(app, tenant, model, **where):
    with app.app_context(), tenant_context(tenant):
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.execute(query).scalar_one()


def _run_job(app, tenant, name):
    from core.framework.jobs import plugin_job

    with app.app_context():
        plugin_job.run(tenant, name)


@pytest.fixture
def cez_customer(cez_app, smtp_server):
    identity, point = _cez_customer_with_outages(cez_app)
    client = linked_customer(client_for(cez_app, CEZ_HOST), smtp_server, identity, "jana.dvorakova@example.com")
    return client, point, _point_id(cez_app, "cez", point.identifier)


# --- choices ---------------------------------------------------------------------------------


def test_choices_are_saved_per_supply_point_and_shown(cez_app, cez_customer):
    client, point, point_id = cez_customer
    html = client.get("/notifications/").get_data(as_text=True)
    assert point.identifier in html and "Planned outages" in html and "Text messages" in html
    form = client.get(f"/notifications/points/{point_id}").get_data(as_text=True)
    assert 'name="planned_outage__email"' in form and 'name="planned_outage__sms"' in form

    response = client.submit(f"/notifications/points/{point_id}", {"planned_outage__email": "1"})
    assert response.status_code == 302
    assert _count(cez_app, "cez", NotificationPreference, supply_point_id=point_id) == 1
    form = client.get(f"/notifications/points/{point_id}").get_data(as_text=True)
    assert re.search(r'name="planned_outage__email" value="1" checked', form)
    assert not re.search(r'name="planned_outage__sms" value="1" checked', form)

    # unticking every box switches the alerts off
    assert client.submit(f"/notifications/points/{point_id}", {}).status_code == 302
    assert _count(cez_app, "cez", NotificationPreference, supply_point_id=point_id) == 0


def test_text_messages_need_a_valid_phone_number(cez_app, cez_customer):
    client, _point, point_id = cez_customer
    response = client.submit(f"/notifications/points/{point_id}", {"planned_outage__sms": "1", "planned_outage__email": "1"})
    assert response.status_code == 400
    form = response.get_data(as_text=True)
    assert "Add your mobile phone number on the notifications page before you choose text messages." in form
    assert re.search(r'name="planned_outage__email" value="1" checked', form)  # the choices are kept
    assert re.search(r'name="planned_outage__sms" value="1" checked', form)
    assert _count(cez_app, "cez", NotificationPreference) == 0

    response = client.post("/notifications/phone", data={"csrf_token": client.last_csrf, "phone": "12 34"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a phone number, for example 601 123 456." in html
    assert 'aria-invalid="true"' in html and 'value="12 34"' in html
    landline = client.post("/notifications/phone", data={"csrf_token": client.last_csrf, "phone": "221 234 567"})
    assert landline.status_code == 400 and "Text messages go to mobile phones only" in landline.get_data(as_text=True)
    assert _count(cez_app, "cez", NotificationContact) == 0

    response = client.post("/notifications/phone", data={"csrf_token": client.last_csrf, "phone": "601 234 567"})
    assert response.status_code == 302
    assert "+420601234567" in client.get("/notifications/").get_data(as_text=True)
    response = client.submit(f"/notifications/points/{point_id}", {"planned_outage__sms": "1"})
    assert response.status_code == 302
    assert _count(cez_app, "cez", NotificationPreference, channel="sms") == 1

    # removing the number stops the text messages
    assert client.post("/notifications/phone", data={"csrf_token": client.last_csrf, "phone": ""}).status_code == 302
    assert _count(cez_app, "cez", NotificationPreference, channel="sms") == 0


def test_another_customers_supply_point_is_404(cez_app, cez_customer, smtp_server):
    _client, _point, point_id = cez_customer
    other = _signed_in(cez_app, smtp_server, "petr.svoboda@example.com")
    assert other.get(f"/notifications/points/{point_id}").status_code == 404
    other.get("/notifications/")
    response = other.post(f"/notifications/points/{point_id}",
                          data={"csrf_token": other.last_csrf, "planned_outage__email": "1"})
    assert response.status_code == 404
    assert _count(cez_app, "cez", NotificationPreference) == 0


def test_pages_need_a_login(cez_app):
    client = client_for(cez_app, CEZ_HOST)
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_in_every_language(cez_app, smtp_server, language):
    identity, point = _cez_customer_with_outages(cez_app)
    client = linked_customer(client_for(cez_app, CEZ_HOST, language=language), smtp_server, identity,
                             f"lang-{language}@example.com")
    point_id = _point_id(cez_app, "cez", point.identifier)
    for path in ("/notifications/", f"/notifications/points/{point_id}"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and f'<html lang="{language}">' in html
        assert point.identifier in html


# --- planned outage alerts -----------------------------------------------------------------


def test_outage_alerts_go_once_by_email_and_sms(cez_app, cez_customer, smtp_server):
    client, point, point_id = cez_customer
    tenant = _tenant(cez_app, "cez")
    sms = gateway_for(tenant)
    sms.clear()
    client.post("/notifications/phone", data={"csrf_token": client.last_csrf, "phone": "+420 601 234 567"})
    client.submit(f"/notifications/points/{point_id}", {"planned_outage__email": "1", "planned_outage__sms": "1"})
    outages = tenant.adapter.planned_outages(point.identifier)
    smtp_server.clear()

    _run_job(cez_app, "cez", OUTAGE_JOB)

    mails = smtp_server.wait_for("jana.dvorakova@example.com", len(outages))
    assert len(mails) == len(outages)
    body = mails[0].get_content()
    assert point.identifier in mails[0]["Subject"] and point.identifier in body
    first = outages[0]
    assert first.reason in body and f"https://{CEZ_HOST}/notifications/" in body
    assert f"{first.starts_at.hour}:{first.starts_at.minute:02d}" in body  # on the Prague clock
    texts = [m for m in sms.messages if m.to == "+420601234567"]
    assert len(texts) == len(outages)
    assert texts[0].text.startswith("CEZ Prodej") and point.identifier in texts[0].text
    assert _count(cez_app, "cez", SentNotification) == 2 * len(outages)

    # the next run finds nothing new to send
    _run_job(cez_app, "cez", OUTAGE_JOB)
    assert len(smtp_server.messages) == len(outages)
    assert len(sms.messages) == len(outages)


def test_outage_alerts_follow_the_customers_language(cez_app, cez_customer, smtp_server):
    client, point, point_id = cez_customer
    client.post("/language", data={"csrf_token": client.last_csrf, "locale": "cs", "next": "/notifications/"})
    client.submit(f"/notifications/points/{point_id}", {"planned_outage__email": "1"})
    smtp_server.clear()
    _run_job(cez_app, "cez", OUTAGE_JOB)
    mail = smtp_server.wait_for("jana.dvorakova@example.com")[0]
    assert "Dobrý den," in mail.get_content() and "Hello," not in mail.get_content()


def test_the_cli_runs_the_alert_jobs(cez_app, cez_customer, smtp_server):
    from core.cli import main

    client, point, point_id = cez_customer
    client.submit(f"/notifications/points/{point_id}", {"planned_outage__email": "1"})
    smtp_server.clear()
    runner = cez_app.test_cli_runner()
    listed = runner.invoke(main, ["jobs", "list"])
    assert f"cez\t{OUTAGE_JOB}\tevery 1:00:00" in listed.output and f"cez\t{READING_JOB}" in listed.output
    result = runner.invoke(main, ["jobs", "run", OUTAGE_JOB, "--tenant", "cez"])
    assert result.exit_code == 0, result.output
    assert smtp_server.wait_for("jana.dvorakova@example.com")
    assert _count(cez_app, "cez", SentNotification) >= 1


def test_jobs_exist_only_for_what_the_supplier_offers(cez_app, make_app):
    with cez_app.app_context():
        assert {j.name for j in _tenant(cez_app, "cez").scheduled_jobs()} >= {OUTAGE_JOB, READING_JOB}
    app = make_app()
    with app.app_context():
        names = {j.name for j in _tenant(app, "innogy").scheduled_jobs()}
    assert READING_JOB in names and OUTAGE_JOB not in names


# --- reading reminders ---------------------------------------------------------------------


def _innogy_reader(app, smtp_server, demo_identity, email="reader@example.com"):
    from tests.readings.test_readings import _identity_with

    identity, point = _identity_with(app, demo_identity, capable=True)
    client = client_for(app)
    linked_customer(client, smtp_server, identity, email)
    point_id = _point_id(app, "innogy", point.identifier)
    response = client.submit(f"/notifications/points/{point_id}", {"reading_reminder__email": "1"})
    assert response.status_code == 302
    return client, point, point_id


def test_reading_reminder_once_per_period(make_app, smtp_server, demo_identity):
    app = make_app(TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                                       "settings": {"reading_reminder_day": 1}}})
    _client, point, point_id = _innogy_reader(app, smtp_server, demo_identity)
    smtp_server.clear()

    _run_job(app, "innogy", READING_JOB)
    mail = smtp_server.wait_for("reader@example.com")[0]
    assert point.identifier in mail["Subject"]
    assert f"https://innogy.test/readings/new/{point_id}" in mail.get_content()
    _run_job(app, "innogy", READING_JOB)
    assert len(smtp_server.messages) == 1
    with app.app_context(), tenant_context("innogy"):
        sent = db.session.execute(select(SentNotification)).scalar_one()
        assert sent.event_key == f"{local_today(_tenant(app, 'innogy')):%Y-%m}"


def test_reminders_wait_for_the_reminder_day(make_app, smtp_server, demo_identity):
    app = make_app(TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                                       "settings": {"reading_reminder_day": 31}}})
    _innogy_reader(app, smtp_server, demo_identity)
    with app.app_context():
        today = local_today(_tenant(app, "innogy"))
    smtp_server.clear()
    _run_job(app, "innogy", READING_JOB)
    last_day = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    assert len(smtp_server.messages) == (1 if today == last_day else 0)


class QuarterlyReadings:
    """A supplier whose reading periods are its own: the first week of each quarter, or closed."""

    def __init__(self, open_now: bool) -> None:
        self.open_now = open_now

    @hookimpl
    def portal_reading_period(self, tenant, supply_point, today):
        if self.open_now:
            return ReadingPeriod(f"Q-{today:%Y-%m}", today - dt.timedelta(days=1), today + dt.timedelta(days=6))
        return ReadingPeriod("next", today + dt.timedelta(days=3), today + dt.timedelta(days=10))


@pytest.mark.parametrize("open_now", [True, False])
def test_a_plugin_defines_the_reading_period(make_app, smtp_server, demo_identity, open_now):
    app = make_app(plugins=[QuarterlyReadings(open_now)])
    _innogy_reader(app, smtp_server, demo_identity)
    smtp_server.clear()
    _run_job(app, "innogy", READING_JOB)
    _run_job(app, "innogy", READING_JOB)
    assert len(smtp_server.messages) == (1 if open_now else 0)


def test_cez_reminds_at_the_yearly_price_change(cez_app):
    from core.notifications.service import reading_period

    tenant = _tenant(cez_app, "cez")
    with cez_app.app_context(), tenant_context("cez"):
        summer = reading_period(tenant, None, dt.date(2026, 6, 15))
        eve = reading_period(tenant, None, dt.date(2026, 12, 31))
        january = reading_period(tenant, None, dt.date(2027, 1, 5))
    assert not summer.is_open(dt.date(2026, 6, 15)) and summer.opens_on == dt.date(2026, 12, 31)
    assert eve.is_open(dt.date(2026, 12, 31)) and eve.key == january.key == "price-change-2027"
    assert january.is_open(dt.date(2027, 1, 5)) and january.closes_on == dt.date(2027, 1, 8)  # 5 working days


def test_reminders_are_offered_only_where_readings_are_taken(app, smtp_server, demo_identity):
    from tests.readings.test_readings import _identity_with

    identity, point = _identity_with(app, demo_identity, capable=False)
    client = client_for(app)
    linked_customer(client, smtp_server, identity, "no-reads@example.com")
    point_id = _point_id(app, "innogy", point.identifier)
    html = client.get("/notifications/").get_data(as_text=True)
    assert point.identifier in html
    assert "No notifications are available for this supply point." in html
    assert client.get(f"/notifications/points/{point_id}").status_code == 404


# --- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium is not installed")
@pytest.mark.parametrize("brand", ["cez"])
def test_notification_pages_pass_an_accessibility_audit(live_portal, page, brand):  # noqa: F811
    from core.demo.service import DEMO_PASSWORD, prepare_demo
    from core.framework.mail import demo_login

    app, base = live_portal
    with app.app_context():
        prepare_demo(app)
    page.goto(base + "/login")
    page.fill("#email", demo_login(brand))
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/")

    page.goto(base + "/notifications/")
    audit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#phone", "12")
    page.click("form[action='/notifications/phone'] button[type=submit]")
    assert page.locator("#phone").get_attribute("aria-invalid") == "true"
    audit(page)

    page.locator("a[href*='/notifications/points/']").first.click()
    audit(page)
    page.check("#planned_outage__email")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/notifications/")
    audit(page)
    # the refused phone number was answered 400, as forms with errors are
    assert [e for e in page.console_errors if "status of 400" not in e] == []
