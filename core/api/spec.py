"""The OpenAPI 3 document of the API, generated from its operations and their marshmallow
schemas, and a page that shows it to people (server-rendered: the CSP allows no foreign
script)."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import g, jsonify, render_template, url_for
from flask_babel import gettext as _

from core.api import schemas as s
from core.api.base import OPERATIONS, RULE_PARAMETER, bp
from core.framework.web import MAX_ID

OPENAPI_VERSION = "3.0.3"
API_VERSION = "1.0.0"
_TYPES = {"int": "integer", "string": "string", "path": "string"}


def _status_description(status: int) -> str:
    return {
        200: _("Success"),
        202: _("Received; delivered to the supplier in the background"),
        400: _("The body is not a JSON object"),
        401: _("No token, or the token is not valid or revoked"),
        403: _("The token may only read, or the terms of service must be accepted in the portal first"),
        404: _("Not found among your own data"),
        422: _("Some fields are not valid"),
        429: _("Too many requests"),
        503: _("The billing system is not responding"),
    }[status]


def build_spec() -> dict[str, Any]:
    """The document for the current brand (its name, its server, its request types)."""
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(
        title=_("%(supplier)s customer API", supplier=g.tenant.supplier.name),
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[marshmallow_plugin],
        info={"description": _("Your accounts, invoices, payments, meter readings and requests, "
                               "for apps and home automation. Make a personal access token on the "
                               "API access page of the portal and send it as a bearer token.")},
        servers=[{"url": url_for("api.openapi", _external=True).removesuffix("/openapi.json")}],
        security=[{"bearer": []}],
    )
    marshmallow_plugin.map_to_openapi_type(s.DecimalString, "string", "decimal")
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": _("A personal access token (up_…)")})
    spec.components.schema("Error", schema=s.ErrorSchema)
    types = [t.code for t in g.tenant.request_types()]
    for op in OPERATIONS:
        spec.path(path=openapi_path(op.rule), operations={op.method.lower(): _operation(op, types)})
    return spec.to_dict()


def openapi_path(rule: str) -> str:
    """``/requests/<int(max=9):request_id>`` as ``/requests/{request_id}``."""
    return RULE_PARAMETER.sub(r"{\2}", rule)


def _operation(op, request_types: list[str]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True,
         "schema": {"type": _TYPES.get(converter, "string"),
                    **({"minimum": 0, "maximum": MAX_ID} if converter == "int" else {})},
         **({"description": _("May contain slashes; send them as they are or URL-encoded.")} if converter == "path" else {})}
        for name, converter in op.path_params
    ]
    if op.query:
        parameters.append({"in": "query", "schema": op.query})
    parameters.extend({**h, "description": str(h["description"])} for h in op.headers)
    responses: dict[str, Any] = {}
    for status in op.statuses:
        if status == op.status:
            content = ({op.media_type: {"schema": op.response}} if op.response
                       else {op.media_type: {"schema": {"type": "string", "format": "binary"}}})
        else:
            content = {"application/json": {"schema": "Error"}}
        responses[str(status)] = {"description": _status_description(status), "content": content}
    operation: dict[str, Any] = {
        "operationId": op.endpoint.removeprefix("api."),
        "summary": str(op.summary),
        "tags": [str(op.tag)],
        "parameters": parameters,
        "responses": responses,
    }
    if op.description:
        operation["description"] = str(op.description)
    if op.body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
        if op.body is s.RequestInput and request_types:
            operation["description"] = "{} {}".format(
                operation.get("description", ""), _("Request types: %(types)s.", types=", ".join(request_types))
            ).strip()
    return operation


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


@bp.get("/docs")
def docs():
    document = build_spec()
    components = document.get("components", {}).get("schemas", {})
    sections: dict[str, list[dict[str, Any]]] = {}
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            sections.setdefault(spec["tags"][0], []).append({
                "id": spec["operationId"], "method": method.upper(), "path": path, "spec": spec,
                "body": _properties(body, components) if body else None,
                "responses": [(code, r["description"], _schema_name(next(iter(r.get("content", {}).values()), {})))
                              for code, r in spec["responses"].items()],
            })
    return render_template("api/docs.html", document=document, sections=sections,
                           components=components, schema_type=_type_of)


def _schema_name(media: dict[str, Any]) -> str | None:
    ref = media.get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None


def _properties(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of a (referenced) object schema: name, type, required, description."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", []))
    return [{"name": name, "type": _type_of(prop), "required": name in required,
             "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    kind = prop.get("type", "any")
    if kind == "array":
        return _("array of %(type)s", type=_type_of(prop.get("items", {})))
    return f"{kind} ({prop['format']})" if "format" in prop else kind
