"""``portal demo-backend``: the demo suppliers' billing systems as an HTTP service.

Each supplier plugin's demo back-end answers under ``/<supplier code>/`` with the
reference billing API that :class:`core.billing.http.HttpBillingAdapter` speaks. Accepted
submissions are journaled to disk before the answer goes out, so a back-end stopped and
started again still knows every idempotency key it has applied: the fault tests rely on
this, as a real billing system would.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request

from core.billing import codec
from core.billing.contract import (
    AccountNotFound,
    BillingAdapter,
    ReadingSubmission,
    RequestSubmission,
)
from core.framework.plugins import create_plugin_manager, supplier_plugins


class Journal:
    """Append-only record of submissions, replayed at start-up."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()

    def replay(self, backend: BillingAdapter) -> int:
        if not self.path.exists():
            return 0
        count = 0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            _apply(backend, entry["kind"], entry["payload"], entry["key"])
            count += 1
        return count

    def append(self, kind: str, key: str, payload: Any) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"kind": kind, "key": key, "payload": payload}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def _apply(backend: BillingAdapter, kind: str, payload: Any, key: str):
    if kind == "reading":
        return backend.submit_reading(codec.decode(ReadingSubmission, payload), key)
    return backend.submit_request(codec.decode(RequestSubmission, payload), key)


def _supplier_blueprint(code: str, backend: BillingAdapter, journal: Journal) -> Blueprint:
    bp = Blueprint(code, __name__, url_prefix=f"/{code}")

    def account_or_404(number: str):
        account = backend.find_account(number)
        if account is None:
            response = jsonify(error="account not found")
            response.status_code = 404
            response.headers["X-Not-Found"] = "account"
            abort(response)
        return account

    @bp.get("/accounts/<number>")
    def account(number: str):
        return jsonify(codec.encode(account_or_404(number)))

    def of_account(name: str):
        """The view answering ``backend.<name>(number)`` for a known account."""

        def view(number: str):
            account_or_404(number)
            return jsonify(codec.encode(getattr(backend, name)(number)))

        return view

    for path, name in (("supply-points", "supply_points"), ("invoices", "invoices"),
                       ("payments", "payments"), ("balance", "balance")):
        bp.add_url_rule(f"/accounts/<number>/{path}", name, of_account(name), methods=["GET"])

    @bp.get("/accounts/<number>/invoices/<path:invoice>/pdf")
    def invoice_pdf(number: str, invoice: str):
        account_or_404(number)
        try:
            duplicate = request.args.get("copy") == "duplicate"
            return Response(backend.invoice_pdf(number, invoice, duplicate), mimetype="application/pdf")
        except LookupError:
            abort(404)

    @bp.get("/accounts/<number>/supply-points/<point>/readings")
    def readings(number: str, point: str):
        account_or_404(number)
        try:
            return jsonify(codec.encode(backend.readings(number, point)))
        except LookupError:
            abort(404)

    @bp.get("/changes")
    def changes():
        limit = min(max(request.args.get("limit", 100, type=int), 1), 1000)
        return jsonify(codec.encode(backend.changes_since(request.args.get("cursor"), limit)))

    def submit(kind: str):
        key = request.headers.get("Idempotency-Key", "")
        if not 8 <= len(key) <= 200:
            return refusal(400, "idempotency_key_missing", "an Idempotency-Key header is required")
        payload = request.get_json(force=True, silent=True)
        with journal.lock:
            try:
                result = _apply(backend, kind, payload, key)
            except AccountNotFound:
                return refusal(422, "account_unknown", "no account with this number")
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                return refusal(422, "invalid_submission", f"the submission cannot be read: {exc}")
            if not result.duplicate:
                journal.append(kind, key, payload)
        return jsonify(codec.encode(result))

    def refusal(status: int, code: str, message: str):
        response = jsonify(code=code, message=message)
        response.status_code = status
        return response

    bp.post("/readings")(lambda: submit("reading"))
    bp.post("/requests", endpoint="requests")(lambda: submit("request"))

    @bp.get("/demo-identities")
    def demo_identities():
        return jsonify(backend.demo_identities(request.args.get("method")))

    return bp


def create_backend_app(
    state_dir: str | Path, suppliers: list[str] | None = None, as_of: dt.date | None = None
) -> Flask:
    """A WSGI app serving the demo back-end of every installed supplier plugin."""
    state = Path(state_dir)
    state.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__)
    pm = create_plugin_manager()
    served = []
    for plugin, info in supplier_plugins(pm):
        if suppliers and info.code not in suppliers:
            continue
        others = [p for p, _ in supplier_plugins(pm) if p is not plugin]
        backend = pm.subset_hook_caller("portal_demo_backend", remove_plugins=others)()
        if backend is None:
            continue
        if as_of is not None:
            backend.set_anchor(as_of)
        journal = Journal(state / f"{info.code}.journal")
        journal.replay(backend)
        app.register_blueprint(_supplier_blueprint(info.code, backend, journal))
        served.append(info.code)
    app.config["SERVED_SUPPLIERS"] = served

    @app.get("/")
    def index():
        return jsonify(suppliers=served)

    return app
