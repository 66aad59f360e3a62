"""The customer's consents, profile changes and activity log."""

from __future__ import annotations
