"""No English on a page in another language: every page and mail a customer of each brand
reaches, rendered with every translation marked, shows no English text outside the marks.

Each string a catalog translates comes back between two marks; a string that no catalog
translates (a hard-coded sentence, a library's message, an entry left untranslated) comes
back bare. What stays outside the marks is data (names, addresses, numbers, codes, the
supplier's own words, the brand's name) and what CLDR writes (dates, currencies, country
names); a run of three or more English words there is a leak. Machine values in ``<code>``
(an API's field names and codes) are not read.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po
from flask_babel import Domain

from tests.conftest import client_for, linked_customer
from tests.support.browser import BRANDS

OPEN, CLOSE = "\u27e6", "\u27e7"
ROOT = Path(__file__).resolve().parents[2]
MAX_PAGES = 150
SKIPPED = re.compile(r"/logout|/pdf|\.pdf|\.csv|/export|/download|/static/|/demo/|[?&](lang|copy|page)=|mailto:|tel:")


class MarkedTranslations:
    """A catalog whose translations come back between marks, and untranslated strings bare."""

    def __init__(self, real) -> None:
        self.real = real
        self.catalog = getattr(real, "_catalog", {})

    def _marked(self, key, text: str) -> str:
        return f"{OPEN}{text}{CLOSE}" if self.catalog.get(key) else text

    def ugettext(self, message):
        return self._marked(message, self.real.ugettext(message))

    def ungettext(self, singular, plural, num):
        return self._marked((singular, 0), self.real.ungettext(singular, plural, num))

    def upgettext(self, context, message):
        return self._marked(f"{context}\x04{message}", self.real.upgettext(context, message))

    def unpgettext(self, context, singular, plural, num):
        return self._marked((f"{context}\x04{singular}", 0), self.real.unpgettext(context, singular, plural, num))

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def marked_translations(monkeypatch):
    real = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda self: MarkedTranslations(real(self)))


def _english_words() -> set[str]:
    """Every word of the English source strings, of the core and of every plugin."""
    words: set[str] = set()
    for template in [ROOT / "translations" / "messages.pot", *ROOT.glob("plugins/*/translations/*.pot")]:
        with template.open("rb") as fh:
            for message in read_po(fh):
                for text in message.id if isinstance(message.id, tuple) else (message.id,):
                    words.update(w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"%\(\w+\)\w", " ", text or "")))
    return words - {"a", "i"}  # also Italian, Polish and Czech words


ENGLISH = _english_words()


def _unmarked(text: str) -> str:
    """``text`` without what the catalogs translated (marks nest where a translation holds another)."""
    while True:
        stripped = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        if stripped == text:
            return text
        text = stripped


def english_runs(text: str, names: tuple[str, ...] = ()) -> list[str]:
    """Runs of three or more English words in ``text`` outside the marks and ``names``."""
    runs, run = [], []
    text = _unmarked(text)
    for name in names:
        text = text.replace(name, " ")
    for word in re.findall(r"[^\s,.:;!?()\[\]\"«»„“”/·–—|]+", text):
        if word.isascii() and word.isalpha() and word.lower() in ENGLISH:
            run.append(word)
            continue
        if len(run) >= 3:
            runs.append(" ".join(run))
        run = []
    if len(run) >= 3:
        runs.append(" ".join(run))
    return runs


class VisibleText(HTMLParser):
    """The text a visitor reads or hears: text nodes and the attributes a screen reader speaks."""

    SPOKEN = ("alt", "title", "placeholder", "aria-label")
    UNREAD = ("script", "style", "code")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.UNREAD:
            self._hidden += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        self.parts.extend(attributes[name] for name in self.SPOKEN if attributes.get(name))

    def handle_endtag(self, tag):
        if tag in self.UNREAD:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def crawl(client, names: tuple[str, ...], start: str = "/") -> dict[str, list[str]]:
    """Every page of the site reachable from ``start`` by links: its English runs, by path."""
    found: dict[str, list[str]] = {}
    queue, seen = deque([start]), {start}
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, path
        if not response.mimetype.startswith("text/html"):
            continue
        parser = VisibleText()
        parser.feed(response.get_data(as_text=True))
        leaks = [run for part in parser.parts for run in english_runs(part, names)]
        if leaks:
            found[path] = leaks
        for href in parser.links:
            target = urldefrag(urljoin(f"http://{client.host}{path}", href))[0]
            parts = urlsplit(target)
            if parts.hostname != client.host or SKIPPED.search(target):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                seen.add(local)
                queue.append(local)
    return found


def test_the_leak_finder_sees_english_and_nothing_else():
    assert english_runs("Please sign in to see this page.") == ["Please sign in to see this page"]
    assert english_runs(f"{OPEN}Zaloguj się, aby zobaczyć tę stronę.{CLOSE}") == []
    assert english_runs(f"{OPEN}Saldo {OPEN}525,34 zł{CLOSE}{CLOSE} Anna Nowak, ul. Prosta 1") == []
    assert english_runs(f"{OPEN}Numer klienta{CLOSE} 1234 Consumption per month") == ["Consumption per month"]


@pytest.mark.slow
@pytest.mark.parametrize("brand", sorted(BRANDS))
def test_no_english_on_any_page_or_mail_of_a_brand(make_app, smtp_server, marked_translations, brand):
    plugin, locale, _sign = BRANDS[brand]
    host = f"{brand}.test"
    app = make_app(TENANTS={brand: {"plugin": plugin, "hosts": [host]}}, DEFAULT_TENANT=brand)
    tenant = app.extensions["portal_tenants"][brand]
    with app.app_context():
        identity = tenant.adapter.demo_identities()[0]
    names = (tenant.theme.name, tenant.supplier.name)
    visitor = client_for(app, host, locale)
    leaks = {f"signed out {path}": runs for path, runs in crawl(visitor, names).items()}
    leaks |= {f"signed out {path}": runs for path, runs in crawl(visitor, names, "/invoices/").items()}
    email = f"leaks.{brand}@example.com"
    customer = linked_customer(client_for(app, host, locale), smtp_server, identity, email)
    leaks |= crawl(customer, names)
    for n, mail in enumerate(smtp_server.wait_for(email)):
        runs = english_runs(str(mail["Subject"]), names) + english_runs(mail.get_body(("plain",)).get_content(), names)
        if runs:
            leaks[f"mail {n}: {mail['Subject']}"] = runs
    assert leaks == {}
