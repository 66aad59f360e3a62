"""Which supply point a customer last chose, and other per-login view preferences."""

from __future__ import annotations
