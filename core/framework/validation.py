"""Small pieces every supplier's form schemas use (public as ``core.plugin_api``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, validate


def validation_error(message: Any, field_name: str | None = None) -> ValidationError:
    """The error to raise with one ``message``: for the field ``field_name``, or for the
    whole form (``None``, shown above the fields)."""
    return ValidationError([message], field_name) if field_name else ValidationError([message])


def today_in(timezone: dt.tzinfo) -> dt.date:
    """Today on the calendar of ``timezone`` (the supplier's), whatever the server's zone."""
    return dt.datetime.now(timezone).date()


def date_from_tomorrow(timezone: dt.tzinfo, *, within_days: int, too_late: Any) -> Callable[[dt.date], None]:
    """A validator for a date the supplier acts on (a visit, a start of supply): from
    tomorrow on the supplier's calendar (``timezone``) and at most ``within_days`` ahead;
    ``too_late`` is the message for a later date ("Choose a date within the next two
    months.")."""

    def validate(value: dt.date) -> None:
        today = today_in(timezone)
        if value <= today:
            raise validation_error(_l("Choose a date from tomorrow on."))
        if value > today + dt.timedelta(days=within_days):
            raise validation_error(too_late)

    return validate


def one_of_choices(choices: Iterable[tuple[Any, Any]], error: Any) -> validate.OneOf:
    """A validator that takes only the codes of ``choices``, the ``(code, label)`` pairs a
    field offers as its ``metadata["choices"]``; ``error`` is the message otherwise."""
    return validate.OneOf([code for code, _label in choices], error=error)
