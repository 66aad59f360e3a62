"""The pages customers open most read the database at most five times each: the session and
its login, the customer's accounts with their supply points (shared with the header), then
what the page shows. What every page of a tenant shares (maintenance windows, the sync's
state) comes from the cache."""

from __future__ import annotations

import pytest

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MeterReading
from tests.support.queries import count_queries

BUDGET = 5


@pytest.mark.parametrize("path", ["/", "/invoices/", "/consumption/"])
def test_a_page_of_a_customer_with_history_reads_the_database_at_most_five_times(app, linked, path):
    with app.app_context(), tenant_context("innogy"):  # the demo account has a history of each kind
        assert db.session.query(MeterReading).count() > 0
    assert count_queries(app, linked, path) <= BUDGET
