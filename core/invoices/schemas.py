"""The API's answers and queries about invoices."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.schemas import MoneySchema, PageQuery, page_of
from core.billing.contract import InvoiceStatus


class InvoiceSchema(Schema):
    number = fields.String(required=True)
    account_number = fields.String(required=True)
    issued_on = fields.Date(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    due_on = fields.Date(required=True)
    gross = fields.Nested(MoneySchema, required=True)
    outstanding = fields.Nested(MoneySchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in InvoiceStatus]))
    kind = fields.String(required=True)
    supply_point = fields.String(allow_none=True, attribute="supply_point_identifier")


InvoicePage = page_of(InvoiceSchema)


class InvoiceQuery(PageQuery):
    year = fields.Integer(validate=validate.Range(min=1900, max=2999))
    status = fields.String(validate=validate.OneOf([s.value for s in InvoiceStatus]))
