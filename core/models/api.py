"""Personal access tokens for the JSON API."""

from __future__ import annotations
