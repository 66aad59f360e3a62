"""Notification preferences per supply point and what was sent."""

from __future__ import annotations
