"""Languages, locale choice and locale-aware formatting.

The core's strings live in the ``messages`` domain (``translations/``); each supplier
plugin has a gettext domain of its own, so a plugin never shadows a core translation.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.numbers import get_currency_symbol
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    Domain,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
)
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from core.billing.pdf import InvoiceLabels
from core.framework.descriptions import plugin_folder, plugin_gettext_domain
from core.framework.labels import unit_label

if TYPE_CHECKING:
    from core.billing.contract import Money
    from core.framework.descriptions import SupplierInfo

CORE_TRANSLATIONS = Path(str(files("translations")))
SOURCE_LOCALE = "en"
SESSION_KEY = "locale"


def tenant_locales() -> tuple[str, ...]:
    tenant = g.get("tenant")
    return tenant.locales if tenant is not None else tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The user's saved choice, the switcher, the browser, then the tenant default."""
    offered = tenant_locales()
    if has_request_context():
        saved = getattr(current_user, "locale", None) if current_user else None
        if saved in offered:
            return saved
        chosen = session.get(SESSION_KEY)
        if chosen in offered:
            return chosen
        best = request.accept_languages.best_match(offered)
        if best:
            return best
    tenant = g.get("tenant")
    return tenant.default_locale if tenant is not None else SOURCE_LOCALE


def page_translations():
    """The catalog of the locale being rendered, looked up once per request and locale
    (Flask-Babel looks it up for every string; a page has hundreds). A mail rendered in the
    recipient's language (``force_locale``) gets its own."""
    locale = get_locale()
    memo = g.get("_page_translations")
    if memo is None or memo[0] is not locale:
        memo = g._page_translations = (locale, get_translations())
    return memo[1]


def _formatted(context: Context, text: str, variables: dict[str, Any]) -> str:
    # the catalog's own text, as jinja2.ext.i18n takes it; the variables are escaped into it
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    return _formatted(context, page_translations().ugettext(string), variables)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _formatted(context, page_translations().ungettext(singular, plural, num), variables)


@pass_context
def _template_pgettext(context: Context, string_context: str, string: str, **variables: Any) -> str:
    variables.setdefault("context", string_context)
    return _formatted(context, page_translations().upgettext(string_context, string), variables)


@pass_context
def _template_npgettext(
    context: Context, string_context: str, singular: str, plural: str, num: int, **variables: Any
) -> str:
    variables.setdefault("context", string_context)
    variables.setdefault("num", num)
    return _formatted(context, page_translations().unpgettext(string_context, singular, plural, num), variables)


def select_timezone() -> str:
    tenant = g.get("tenant")
    return tenant.timezone if tenant is not None else "UTC"


@cache
def language_name(code: str) -> str:
    """A language's name in that language ("polski", "čeština", ...), capitalised."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


@cache
def supplier_domain(translations_dir: str | None, domain: str | None) -> Domain | None:
    if not translations_dir or not domain:
        return None
    return Domain(translation_directories=[translations_dir], domain=domain)


def plugin_domain(package: str) -> Domain:
    """The gettext domain of the plugin package ``package`` (``__package__``), laid out as
    ``portal new-plugin`` writes it: named after the package, its catalogs in its
    ``translations/``; the core reads the supplier's strings through the same one. In the
    plugin's ``i18n`` module: ``_ = plugin_domain(__package__).lazy_gettext``.

    Raises ``LookupError`` when the package has no ``translations/`` folder.
    """
    domain = supplier_domain(plugin_folder(package, "translations"), plugin_gettext_domain(package))
    if domain is None:
        raise LookupError(f"{package} has no translations folder")
    return domain


def supplier_gettext(message: str, **variables: Any) -> str:
    """Translate a string of the current tenant's supplier plugin."""
    supplier: SupplierInfo | None = getattr(g.get("tenant"), "supplier", None)
    domain = supplier_domain(supplier.translations_dir, supplier.gettext_domain) if supplier else None
    if domain is None:
        return message % variables if variables else message
    return domain.gettext(message, **variables)


def money(value: Money | Decimal | None, currency: str | None = None) -> str:
    """Format an amount in the current locale, in its own or the tenant's currency."""
    if value is None:
        return ""
    amount: Any = getattr(value, "amount", value)  # Money, or a bare amount
    code = getattr(value, "currency", None) or currency or g.tenant.currency
    locale = get_locale()
    formatted = babel_numbers.format_currency(amount, code, locale=locale)
    sign = _currency_sign(locale.language) if locale else ""
    return formatted.replace(get_currency_symbol(code, locale), sign) if sign else formatted


@cache
def _currency_sign(language: str) -> str:
    """The sign a language writes in place of the locale's (Ukrainian "грн" for "₴"), as its
    bills print it."""
    try:
        return InvoiceLabels.in_language(language).currency_sign
    except KeyError:
        return ""


def _four_digit_year(pattern: str) -> str:
    return re.sub(r"(?<!y)yy(?!y)", "yyyy", pattern)


@cache
def short_date_pattern(locale: Locale) -> str:
    """The locale's short date with the year in full: "05.03.2026" where CLDR gives
    "05.03.26" (cs, uk), "05/03/2026" (it); a two-digit year reads as a typo on a bill."""
    return _four_digit_year(locale.date_formats["short"].pattern)


@cache
def short_datetime_pattern(locale: Locale) -> str:
    """The locale's short date and time, the year in full ("05.03.2026 23:30")."""
    glue = str(locale.datetime_formats["short"])
    return glue.replace("{1}", short_date_pattern(locale)).replace("{0}", locale.time_formats["short"].pattern)


def local_date(value: dt.date | dt.datetime | None, fmt: str = "medium") -> str:
    """A date in the customer's language ("short", "medium", "long"); a datetime is shown in
    the tenant's time zone."""
    if value is None:
        return ""
    locale = get_locale()
    pattern = short_date_pattern(locale) if fmt == "short" else fmt
    if not isinstance(value, dt.datetime):  # a calendar date: nothing to move to the tenant's clock
        return babel_dates.format_date(value, pattern, locale=locale)
    return format_date(value, pattern)


def local_datetime(value: dt.datetime | None, fmt: str = "medium") -> str:
    """A moment in the customer's language, on the tenant's clock (a naive one is UTC)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_datetime(value, short_datetime_pattern(get_locale()) if fmt == "short" else fmt)


def quantity(value: Decimal | float | int | None, unit: str) -> str:
    """A measured value with its unit, in the customer's number format: "42 040 kWh",
    "9 440 m³", "15 073 кВт·год" (never "4.204E+4"); empty for no value."""
    if value is None:
        return ""
    return f"{format_decimal(value)}\u00a0{unit_label(unit)}"


def init_app(app: Flask) -> None:
    from core.framework.extensions import babel

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CORE_TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Flask-Babel installs jinja2.ext.i18n's "new style" callables; these do the same (the text
    # is a format string, escaped in HTML), with the catalog looked up once per request
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
        pgettext=_template_pgettext, npgettext=_template_npgettext,
    )
    app.add_template_filter(money, "money")
    app.add_template_filter(local_date, "date")
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(quantity, "quantity")
    app.add_template_filter(format_decimal, "number")
    app.add_template_global(supplier_gettext, "_s")
    app.add_template_global(language_name, "language_name")
    app.add_template_global(lambda: str(get_locale()), "current_locale")
