"""The OpenAPI 3 document of the API, generated from its operations and their marshmallow
schemas, and a page that shows it to people (server-rendered: the CSP allows no foreign
script)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import g, jsonify, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from marshmallow import Schema

from core.api import schemas as s
from core.api.base import RULE_PARAMETER, Operation, operations
from core.framework.fields import SupplyPointOfAccount
from core.framework.web import MAX_ID

OPENAPI_VERSION = "3.0.3"
API_VERSION = "1.0.0"
_TYPES = {"int": "integer", "string": "string", "path": "string"}


def _status_description(status: int) -> str:
    return {
        200: _("Success"),
        201: _("Created"),
        202: _("Received; delivered to the supplier in the background"),
        400: _("The body is not a JSON object"),
        401: _("No token, or the token is not valid or revoked"),
        403: _("The token may only read, or the terms of service must be accepted in the portal first"),
        404: _("Not found among your own data"),
        409: _("Not possible in the current state"),
        422: _("Some fields are not valid"),
        429: _("Too many requests"),
        503: _("The billing system is not responding"),
    }[status]


def new_document(**info: Any) -> APISpec:
    """An empty OpenAPI document that converts marshmallow schemas the portal's way
    (decimals as strings, a form field's label, help and choices in words)."""
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(version=API_VERSION, openapi_version=OPENAPI_VERSION, plugins=[marshmallow_plugin],
                   **{"title": "", **info})
    marshmallow_plugin.map_to_openapi_type(s.DecimalString, "string", "decimal")
    assert marshmallow_plugin.converter is not None  # made by APISpec(plugins=...)
    marshmallow_plugin.converter.add_attribute_function(_field_words)
    return spec


def json_schema(schema: type[Schema] | Schema, **described: Any) -> dict[str, Any]:
    """``schema`` (a class, or an instance with its supply points offered) as a JSON schema
    object, as the OpenAPI document shows it."""
    spec = new_document()
    spec.components.schema("Schema", described, schema=schema)
    return _json_numbers(spec.to_dict()["components"]["schemas"]["Schema"])


def build_spec() -> dict[str, Any]:
    """The document for the current brand (its name, its server, its request types)."""
    spec = new_document(
        title=_("%(supplier)s customer API", supplier=g.tenant.supplier.name),
        info={"description": _("Your accounts, invoices, payments, meter readings and requests, "
                               "for apps and home automation. Make a personal access token on the "
                               "API access page of the portal and send it as a bearer token.")},
        servers=[{"url": url_for("api.openapi", _external=True).removesuffix("/openapi.json")}],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": _("A personal access token (up_…)")})
    spec.components.schema("Error", schema=s.ErrorSchema)
    for op in operations():
        spec.path(path=openapi_path(op.rule), operations={op.method.lower(): _operation(spec, op)})
    return _json_numbers(spec.to_dict())


def _field_words(self, field, **kwargs: Any) -> dict[str, Any]:
    """An apispec attribute function: a form field's label, help and choices, in words."""
    words: dict[str, Any] = {}
    metadata = field.metadata
    if metadata.get("label") and "title" not in metadata:
        words["title"] = str(metadata["label"])
    text = [str(metadata["help"])] if metadata.get("help") and "description" not in metadata else []
    choices = metadata.get("choices") or ()
    if isinstance(field, SupplyPointOfAccount):
        if choices:  # offered: the customer's own supply points
            words["enum"] = [code for code, _label in choices]
        else:
            text.append(_("The identifier of one of the supply points of the account the request is for."))
    if choices and any(str(code) != str(label) for code, label in choices):
        words["x-labels"] = {str(code): str(label) for code, label in choices}  # what each code stands for
    if text:
        words["description"] = " ".join(text)
    return words


def _json_numbers(value: Any) -> Any:
    """The document with decimals (bounds and choices of decimal fields) as JSON numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_numbers(item) for item in value]
    return value


def openapi_path(rule: str) -> str:
    """``/requests/<int(max=9):request_id>`` as ``/requests/{request_id}``."""
    return RULE_PARAMETER.sub(r"{\2}", rule)


def _operation(spec: APISpec, op: Operation) -> dict[str, Any]:
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
        content: dict[str, dict[str, Any]]
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
    description = " ".join(text for text in (str(op.description or ""), op.describe() if op.describe else "") if text)
    if description:
        operation["description"] = description
    if op.body:
        body = (op.body_document(spec) if op.body_document else None) or op.body
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


def openapi():
    """``/api/v1/openapi.json``: the document, for programs (no token needed)."""
    return jsonify(build_spec())


def docs():
    """``/api/v1/docs``: the document as a page, for people (no token needed)."""
    document = build_spec()
    components = document.get("components", {}).get("schemas", {})
    sections: dict[str, list[dict[str, Any]]] = {}
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            sections.setdefault(spec["tags"][0], []).append({
                "id": spec["operationId"], "method": method.upper(), "path": path, "spec": spec,
                "body": _properties(body, components) if body else None,
                "variants": _variants(body, components) if body else [],
                "responses": [(code, r["description"], _schema_name(next(iter(r.get("content", {}).values()), {})))
                              for code, r in spec["responses"].items()],
            })
    return render_template("api/docs.html", document=document, sections=sections,
                           components=components, schema_type=_type_of, enum_text=_enum_text)


def _enum_text(values: list[Any], labels: dict[str, str] | None = None) -> Markup:
    """The allowed values as JSON writes them (``true``, not ``True``), each as code with what
    it stands for where ``labels`` (the schema's ``x-labels``) say; ``null`` is shown apart."""
    labels = labels or {}
    shown = []
    for value in values:
        if value is None:
            continue
        code = json.dumps(value) if isinstance(value, bool) else str(value)
        label = labels.get(str(value))
        shown.append(Markup("<code>{}</code> ({})").format(code, label) if label else Markup("<code>{}</code>").format(code))
    return Markup(", ").join(shown)


def _schema_name(media: dict[str, Any]) -> str | None:
    ref = media.get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None


def _properties(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of a (referenced) object schema: name, type, required, description.

    For one of several objects (the request types' bodies) the fields of the first stand
    for all: they differ in ``type`` and in what ``data`` refers to (see :func:`_variants`).
    """
    if "oneOf" in schema:
        return _properties(schema["oneOf"][0], components) if schema["oneOf"] else []
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", []))
    return [{"name": name, "type": _type_of(prop), "required": name in required,
             "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


def _variants(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """For a body that is one of several objects told apart by a property: each one's
    value of that property, title and the component its ``data`` refers to."""
    discriminator = schema.get("discriminator", {}).get("propertyName")
    found = []
    for option in schema.get("oneOf", []) if discriminator else []:
        variant = components[option["$ref"].rsplit("/", 1)[-1]]
        data = variant["properties"].get("data", {}).get("$ref", "").rsplit("/", 1)[-1]
        found.append({"value": variant["properties"][discriminator]["enum"][0], "title": variant.get("title", ""),
                      "data": data or None})
    return found


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    kind = prop.get("type", "any")
    if kind == "array":
        return _("array of %(type)s", type=_type_of(prop.get("items", {})))
    return f"{kind} ({prop['format']})" if "format" in prop else kind
