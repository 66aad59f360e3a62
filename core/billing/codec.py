"""JSON for the billing contract's records, for adapters that talk over HTTP.

Decimals travel as strings (no float rounding), dates and datetimes as ISO 8601 with
their offset, enums by value, tuples as lists. Decoding is driven by the dataclasses'
type hints, so a record survives the round trip exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from functools import cache
from typing import Any

from core.billing import contract


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = [encode(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(contract))


def decode(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` (a contract dataclass or a typing form)."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return decode(options[0], data)
    if origin in (tuple, list, frozenset, set):
        args = typing.get_args(kind)
        item = args[0] if args else Any
        return origin(decode(item, v) for v in data)
    if origin is dict:
        key_type, value_type = typing.get_args(kind)
        return {decode(key_type, k): decode(value_type, v) for k, v in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{f.name: decode(hints[f.name], data[f.name]) for f in dataclasses.fields(kind) if f.name in data})
    if kind is Decimal:
        return Decimal(data)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(data)
    if kind is dt.date:
        return dt.date.fromisoformat(data)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    return data
