"""A billing adapter that talks to a back-end over HTTP, with timeouts and clear errors.

It speaks the portal's reference billing API, the one ``portal demo-backend`` serves: a
supplier whose system offers another API writes its own adapter; the contract is the
same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from core.billing import codec
from core.billing.contract import (
    AccountNotFound,
    AccountRecord,
    BackendUnavailable,
    BillingAdapter,
    ChangeBatch,
    InvoiceRecord,
    Money,
    PaymentRecord,
    ReadingRecord,
    ReadingSubmission,
    RequestSubmission,
    SubmissionRefused,
    SubmissionResult,
    SupplyPointRecord,
)

RETRY_LATER = frozenset({401, 403, 408, 409, 425, 429})
"""Answers that say "not now" (or that the portal's own credentials are wrong, which an
operator fixes): the write is tried again and parked after too many attempts, never
rejected in the customer's name."""


class HttpBillingAdapter(BillingAdapter):
    def __init__(self, base_url: str, currency: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None) -> None:
        self.currency = currency
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(f"{self.base_url}: no answer in time ({exc.__class__.__name__})") from exc
        except httpx.TransportError as exc:
            raise BackendUnavailable(f"{self.base_url}: cannot connect ({exc})") from exc
        if response.status_code == 404 and response.headers.get("X-Not-Found") == "account":
            raise AccountNotFound(path)
        if response.status_code >= 500:
            raise BackendUnavailable(f"{self.base_url}: answered {response.status_code}")
        response.raise_for_status()
        return response

    def _get(self, kind: Any, path: str, **params: Any) -> Any:
        return codec.decode(kind, self._call("GET", path, params=params or None).json())

    @staticmethod
    def _account(number: str) -> str:
        return f"/accounts/{quote(number, safe='')}"

    def find_account(self, number: str) -> AccountRecord | None:
        try:
            return self._get(AccountRecord, self._account(number))
        except AccountNotFound:
            return None

    def supply_points(self, account_number: str) -> list[SupplyPointRecord]:
        return self._get(list[SupplyPointRecord], self._account(account_number) + "/supply-points")

    def invoices(self, account_number: str) -> list[InvoiceRecord]:
        return self._get(list[InvoiceRecord], self._account(account_number) + "/invoices")

    def invoice_pdf(self, account_number: str, invoice_number: str, duplicate: bool = False) -> bytes:
        path = self._account(account_number) + f"/invoices/{quote(invoice_number, safe='')}/pdf"
        return self._call("GET", path, params={"copy": "duplicate"} if duplicate else None).content

    def payments(self, account_number: str) -> list[PaymentRecord]:
        return self._get(list[PaymentRecord], self._account(account_number) + "/payments")

    def balance(self, account_number: str) -> Money:
        return self._get(Money, self._account(account_number) + "/balance")

    def readings(self, account_number: str, supply_point: str) -> list[ReadingRecord]:
        path = self._account(account_number) + f"/supply-points/{quote(supply_point, safe='')}/readings"
        return self._get(list[ReadingRecord], path)

    def changes_since(self, cursor: str | None, limit: int = 100) -> ChangeBatch:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        return self._get(ChangeBatch, "/changes", **params)

    def submit_reading(self, reading: ReadingSubmission, idempotency_key: str) -> SubmissionResult:
        return self._submit("/readings", reading, idempotency_key)

    def submit_request(self, request: RequestSubmission, idempotency_key: str) -> SubmissionResult:
        return self._submit("/requests", request, idempotency_key)

    def _submit(self, path: str, submission: Any, idempotency_key: str) -> SubmissionResult:
        """POST a write; a 4xx about the write itself is a refusal for good, with the
        back-end's reason code (``{"code": ..., "message": ...}``) when it gives one."""
        try:
            response = self._call("POST", path, json=codec.encode(submission),
                                  headers={"Idempotency-Key": idempotency_key})
        except AccountNotFound:
            raise SubmissionRefused("account_unknown") from None
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            if status in RETRY_LATER:
                raise BackendUnavailable(f"{self.base_url}: answered {status}") from exc
            try:
                body = exc.response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                body = {}
            code = body.get("code") if isinstance(body.get("code"), str) else None
            detail = body.get("message") or body.get("error")
            raise SubmissionRefused(code or f"http_{status}", str(detail)[:500] if detail else None) from None
        return codec.decode(SubmissionResult, response.json())

    def demo_identities(self, method: str | None = None) -> list[dict[str, Any]]:
        return self._call("GET", "/demo-identities", params={"method": method} if method else None).json()
