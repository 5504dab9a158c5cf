"""Pydantic's JSON Schema (draft 2020-12) rewritten as OpenAPI 3.0 schema objects.

3.0 is the version code generators and gateways read best. The differences that matter here:
``anyOf [X, null]`` is ``X`` with ``nullable: true``, and since ``nullable`` only widens a ``type``
in the same schema object, a nullable reference is written out in place; ``const`` is a one-value
``enum``; ``examples`` is a single ``example``; a ``$ref`` ignores its siblings, so they move beside
an ``allOf``. Titles are dropped (property names say it), and enums are written inline so each
property shows its values.
"""
from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

#: Keywords whose value is one schema, and those whose value is a list or a map of schemas.
ONE_SCHEMA = ("items", "additionalProperties", "not")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
SCHEMA_MAPS = ("properties",)


def openapi_30_components(defs: dict[str, Schema]) -> dict[str, Schema]:
    """Every definition converted, enum definitions inlined where they are used (and dropped)."""
    return {name: to_openapi_30(schema, defs) for name, schema in defs.items() if "enum" not in schema}


def to_openapi_30(schema: Schema, defs: dict[str, Schema] | None = None) -> Schema:
    """One schema in the 3.0 dialect; ``defs`` are the definitions its references name."""
    defs = defs or {}
    schema = _inline_enum(schema, defs)
    converted: Schema = {}
    for key, value in schema.items():
        if key in ("title", "$defs"):
            continue
        if key == "const":
            converted["enum"] = [value]
        elif key == "examples":
            converted["example"] = value[0]
        elif key in ONE_SCHEMA and isinstance(value, dict):
            converted[key] = to_openapi_30(value, defs)
        elif key in SCHEMA_LISTS:
            converted[key] = [to_openapi_30(item, defs) for item in value]
        elif key in SCHEMA_MAPS:
            converted[key] = {name: to_openapi_30(item, defs) for name, item in value.items()}
        else:
            converted[key] = value
    return _nullable(_ref_alone(converted), defs)


def _ref_name(schema: Schema) -> str:
    return schema.get("$ref", "").rpartition("/")[2]


def _inline_enum(schema: Schema, defs: dict[str, Schema]) -> Schema:
    name = _ref_name(schema)
    if name not in defs or "enum" not in defs[name]:
        return schema
    inlined = {key: value for key, value in defs[name].items() if key not in ("title", "description")}
    return {**inlined, **{key: value for key, value in schema.items() if key != "$ref"}}


def _ref_alone(schema: Schema) -> Schema:
    if "$ref" not in schema or len(schema) == 1:
        return schema
    siblings = {key: value for key, value in schema.items() if key != "$ref"}
    return {"allOf": [{"$ref": schema["$ref"]}], **siblings}


def _nullable(schema: Schema, defs: dict[str, Schema]) -> Schema:
    """``anyOf [X, {"type": "null"}]`` (pydantic's ``X | None``) as ``X`` with ``nullable: true``."""
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options or len(options) != 2:
        return schema
    (inner,) = [option for option in options if option != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if "$ref" in inner:
        # Written out: 3.0's nullable widens only a type beside it, never one behind a reference.
        inner = {key: value for key, value in to_openapi_30(defs[_ref_name(inner)], defs).items() if key != "description"}
    return {**inner, "nullable": True, **rest}
