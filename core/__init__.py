"""Utility Portal core: a white-label self-service portal for energy suppliers."""

from core.app import create_app

__all__ = ["create_app"]
