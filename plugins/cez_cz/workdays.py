"""Czech working days: weekends and the public holidays of Act No. 245/2000 Coll.

Deadlines in the Czech energy market run in working days (a self-reading within five
working days of a price change), branches open on working days only, and distributors
plan outages on them.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

_FIXED_HOLIDAYS = (
    (1, 1),    # Den obnovy samostatného českého státu, Nový rok
    (5, 1),    # Svátek práce
    (5, 8),    # Den vítězství
    (7, 5),    # Den slovanských věrozvěstů Cyrila a Metoděje
    (7, 6),    # Den upálení mistra Jana Husa
    (9, 28),   # Den české státnosti
    (10, 28),  # Den vzniku samostatného československého státu
    (11, 17),  # Den boje za svobodu a demokracii
    (12, 24),  # Štědrý den
    (12, 25),  # 1. svátek vánoční
    (12, 26),  # 2. svátek vánoční
)
GOOD_FRIDAY_SINCE = 2016


def easter_sunday(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@cache
def public_holidays(year: int) -> frozenset[dt.date]:
    """The Czech public holidays of ``year``: fixed dates, Good Friday and Easter Monday."""
    easter = easter_sunday(year)
    days = {dt.date(year, month, day) for month, day in _FIXED_HOLIDAYS}
    days.add(easter + dt.timedelta(days=1))
    if year >= GOOD_FRIDAY_SINCE:
        days.add(easter - dt.timedelta(days=2))
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first one after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``day``."""
    if count < 0:
        raise ValueError("count working days forward only")
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
