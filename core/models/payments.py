"""Pay-now payment attempts through the supplier's payment provider."""

from __future__ import annotations
