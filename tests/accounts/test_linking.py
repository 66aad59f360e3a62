"""Linking a billing account with invoice data, the lockout and its rate limit, several accounts
on one login, and codes that link several accounts."""

from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import VerificationAttempt
from core.billing.contract import BackendUnavailable
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import AccountLink
from tests.conftest import client_for, linked_customer, register_and_activate, sign_in


def _link_data(identity, **changes):
    data = {
        "method": "invoice",
        "customer_number": identity["customer_number"],
        "invoice_number": identity["invoice_number"],
        "gross_amount": identity["gross_amount"],
    }
    data.update(changes)
    return data


def test_link_with_invoice_data_then_dashboard(app, signed_in, demo_identity):
    identity = demo_identity[0]
    response = signed_in.submit("/accounts/link", _link_data(identity))
    assert response.status_code == 302 and response.location.endswith("/")
    page = signed_in.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert identity["customer_number"] in html
    assert "Data as of" in html
    assert "Next payment due" in html and "Recent invoices" in html
    assert "PLN" in html or "zł" in html
    with app.app_context(), tenant_context("innogy"):
        adapter = app.extensions["portal_tenants"]["innogy"].adapter
        for sp in adapter.supply_points(identity["customer_number"]):
            assert sp.identifier in html
        latest = adapter.invoices(identity["customer_number"])[0]
        assert latest.number in html


def test_polish_amount_format_is_accepted(signed_in, demo_identity):
    identity = demo_identity[1]
    amount = str(identity["gross_amount"]).replace(".", ",")
    response = signed_in.submit("/accounts/link", _link_data(identity, gross_amount=amount))
    assert response.status_code == 302


def test_wrong_data_never_says_which_field(app, signed_in, demo_identity):
    identity = demo_identity[0]
    bodies = set()
    for changes in (
        {"invoice_number": "F/1999/01/000001"},
        {"gross_amount": "1.23"},
        {"customer_number": "9999999999"},
    ):
        response = signed_in.submit("/accounts/link", _link_data(identity, **changes))
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "do not match our records" in text
        bodies.add(text.count("field-error"))
    assert bodies == {0}
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(AccountLink)).first() is None
        attempts = db.session.execute(select(VerificationAttempt)).scalars().all()
    assert len(attempts) == 3 and not any(a.succeeded for a in attempts)


def test_invalid_input_is_reported_per_field_and_not_counted(app, signed_in, demo_identity):
    response = signed_in.submit("/accounts/link", _link_data(demo_identity[0], gross_amount="abc"))
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(VerificationAttempt)).first() is None


def test_lockout_after_repeated_failures_even_with_right_data(make_app, smtp_server, demo_identity):
    app = make_app(VERIFICATION_MAX_FAILURES=3)
    client = app.test_client()
    register_and_activate(client, smtp_server, "guess@example.com")
    sign_in(client, "guess@example.com")
    identity = demo_identity[2]
    for _ in range(3):
        assert client.submit("/accounts/link", _link_data(identity, gross_amount="0.01")).status_code == 400
    locked = client.submit("/accounts/link", _link_data(identity))
    assert locked.status_code == 429
    assert "Too many unsuccessful attempts" in locked.get_data(as_text=True)


def test_lockout_is_per_billing_account_across_logins(make_app, smtp_server, demo_identity):
    app = make_app(VERIFICATION_MAX_FAILURES=2)
    identity = demo_identity[3]
    for n in range(2):
        attacker = app.test_client()
        register_and_activate(attacker, smtp_server, f"attacker{n}@example.com")
        sign_in(attacker, f"attacker{n}@example.com")
        attacker.submit("/accounts/link", _link_data(identity, invoice_number="X/1"))
    owner = app.test_client()
    register_and_activate(owner, smtp_server, "owner@example.com")
    sign_in(owner, "owner@example.com")
    assert owner.submit("/accounts/link", _link_data(identity)).status_code == 429


def test_account_linked_to_another_login_is_refused_clearly(app, client, smtp_server, demo_identity):
    identity = demo_identity[4]
    linked_customer(client, smtp_server, identity, "first@example.com")
    second = app.test_client()
    register_and_activate(second, smtp_server, "second@example.com")
    sign_in(second, "second@example.com")
    response = second.submit("/accounts/link", _link_data(identity))
    assert response.status_code == 400
    assert "already linked to another login" in response.get_data(as_text=True)


def test_several_accounts_on_one_login(signed_in, demo_identity):
    for identity in demo_identity[5:7]:
        assert signed_in.submit("/accounts/link", _link_data(identity)).status_code == 302
    page = signed_in.get("/accounts/").get_data(as_text=True)
    assert demo_identity[5]["customer_number"] in page and demo_identity[6]["customer_number"] in page
    assert "2 customer accounts linked" in page


def test_backend_down_while_linking_changes_nothing(app, signed_in, demo_identity, monkeypatch):
    adapter = app.extensions["portal_tenants"]["innogy"].adapter

    def down(*args, **kwargs):
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(adapter, "find_account", down)
    response = signed_in.submit("/accounts/link", _link_data(demo_identity[0]))
    assert response.status_code == 503
    assert "not responding" in response.get_data(as_text=True)
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(VerificationAttempt)).first() is None


def _code_method_plugin(numbers):
    """A feature plugin adding an identity method that proves several accounts at once."""
    import types

    from marshmallow import Schema, fields

    from core.framework.descriptions import IdentityMethod, VerificationOutcome
    from core.hookspecs import hookimpl

    class CodeSchema(Schema):
        code = fields.String(required=True, metadata={"label": "Administrator code"})

    def verify(adapter, data):
        if data["code"] == "ADM-1":
            return VerificationOutcome.match(*numbers)
        return VerificationOutcome.no_match("Subscriber not found.")

    method = IdentityMethod("admin_code", "Administrator code", CodeSchema, verify, lambda d: d["code"])
    plugin = types.ModuleType("admin_code_plugin")
    plugin.portal_identity_methods = hookimpl(lambda tenant: [method])
    return plugin


def test_one_code_links_several_accounts_and_refuses_taken_ones(make_app, smtp_server, demo_identity):
    numbers = [i["account_number"] for i in demo_identity[10:13]]
    app = make_app(plugins=[_code_method_plugin(numbers)])
    linked_customer(app.test_client(), smtp_server, demo_identity[12], "taken@example.com", method="invoice")

    admin = app.test_client()
    register_and_activate(admin, smtp_server, "admin@example.com")
    sign_in(admin, "admin@example.com")
    wrong = admin.submit("/accounts/link?method=admin_code", {"method": "admin_code", "code": "nope"})
    assert wrong.status_code == 400 and "Subscriber not found." in wrong.get_data(as_text=True)
    response = admin.submit("/accounts/link?method=admin_code", {"method": "admin_code", "code": "ADM-1"})
    assert response.status_code == 302
    page = admin.get("/accounts/").get_data(as_text=True)
    assert numbers[0] in page and numbers[1] in page and numbers[2] not in page
    assert "2 customer accounts are now linked" in page
    assert "1 customer account was not linked" in page


def test_identity_verification_is_rate_limited(make_app, smtp_server, demo_identity):
    from tests.conftest import register_and_activate, sign_in

    app = make_app(RATELIMIT_VERIFY="2 per minute", VERIFICATION_MAX_FAILURES=100)
    client = client_for(app)
    register_and_activate(client, smtp_server, "limit@example.com")
    sign_in(client, "limit@example.com")
    data = {"method": "invoice", "customer_number": "1234567890", "invoice_number": "X", "gross_amount": "1,00"}
    assert [client.submit("/accounts/link", data).status_code for _ in range(3)] == [400, 400, 429]
