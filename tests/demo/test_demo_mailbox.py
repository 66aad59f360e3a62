"""The demo: its mailbox (a visitor sees only the mail of this browser), its list of brands on
the plain host, and its published login, which nobody can take over."""

from __future__ import annotations

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import utcnow
from tests.conftest import PASSWORD, client_for, sign_in


def test_demo_mailbox_exists_only_in_demo_mode(make_app):
    assert client_for(make_app()).get("/demo/mailbox").status_code == 404
    demo = make_app(DEMO=True, MAIL_CAPTURE=True)
    client = client_for(demo)
    client.submit("/register", {"email": "demo-user@example.com", "password": PASSWORD,
                                "password_confirm": PASSWORD, "accept_terms": "1"})
    page = client.get("/demo/mailbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "demo-user@example.com" in html
    assert '<a href="https://innogy.test/activate/' in html


def test_demo_lists_brands_on_the_plain_host(make_app):
    app = make_app(DEMO=True, MAIL_CAPTURE=True)
    client = client_for(app, "localhost")
    assert client.get("/").location.endswith("/demo/brands")
    page = client.get("/demo/brands").get_data(as_text=True)
    assert 'href="https://innogy.test/"' in page and 'href="https://second.test/"' in page
    assert client.get("/demo/brands/innogy/logo").status_code == 200
    assert client.get("/login").status_code == 404  # no brand there
    assert client_for(app).get("/demo/brands").status_code == 404  # not on a brand's host
    assert client_for(make_app(), "localhost").get("/").status_code == 404  # not outside demo


def _published_demo_login(app) -> str:
    """The brand's demo login, as ``portal demo`` seeds it (with this suite's password)."""
    from core.framework.mail import demo_login
    from core.framework.security import hash_password
    from core.models import TermsAcceptance, User

    login = demo_login("innogy")
    with app.app_context(), tenant_context("innogy"):
        user = User(email=login, password_hash=hash_password(PASSWORD), terms_version=app.config["TERMS_VERSION"],
                    terms_accepted_at=utcnow(), activated_at=utcnow())
        db.session.add(user)
        db.session.flush()
        db.session.add(TermsAcceptance(user_id=user.id, version=user.terms_version))
        db.session.commit()
    return login


def test_demo_mailbox_shows_a_visitor_only_the_mail_of_this_browser(make_app):
    app = make_app(DEMO=True, MAIL_CAPTURE=True)
    anna, visitor = client_for(app), client_for(app)
    anna.submit("/register", {"email": "anna.demo@example.com", "password": PASSWORD,
                              "password_confirm": PASSWORD, "accept_terms": "1"})
    assert "anna.demo@example.com" in anna.get("/demo/mailbox").get_data(as_text=True)
    assert "anna.demo@example.com" not in visitor.get("/demo/mailbox").get_data(as_text=True)

    login = _published_demo_login(app)  # mail to it is its own, not the visitor's who caused it
    assert visitor.submit("/register", {"email": login, "password": PASSWORD, "password_confirm": PASSWORD,
                                        "accept_terms": "1"}).status_code == 302  # mails the login's owner
    assert login not in visitor.get("/demo/mailbox").get_data(as_text=True)
    assert login not in anna.get("/demo/mailbox").get_data(as_text=True)
    demo = client_for(app)
    assert sign_in(demo, login).status_code == 302
    assert login in demo.get("/demo/mailbox").get_data(as_text=True)  # its own mail, to whoever is signed in as it


def test_the_published_demo_login_cannot_be_taken_over(make_app):
    app = make_app(DEMO=True, MAIL_CAPTURE=True)
    login = _published_demo_login(app)
    visitor = client_for(app)
    assert visitor.submit("/password/forgot", {"email": login}).status_code == 302
    assert sign_in(visitor, login).status_code == 302
    new = "another shared passphrase 42"
    response = visitor.submit("/password/change", {"current_password": PASSWORD, "password": new,
                                                   "password_confirm": new})
    assert response.status_code == 302
    assert "The demo login is shared by every visitor" in visitor.get(response.location).get_data(as_text=True)
    assert visitor.get("/profile/privacy").status_code == 200
    assert visitor.post("/profile/privacy/delete", data={"csrf_token": visitor.last_csrf,
                                                          "password": PASSWORD}).status_code == 302
    assert "/password/reset/" not in visitor.get("/demo/mailbox").get_data(as_text=True)  # none was sent
    other = client_for(app)
    assert sign_in(other, login).status_code == 302  # the password is still the published one
