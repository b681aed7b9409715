"""rest-json request serializers compiled per operation from botocore's shapes.

botocore's ``RestJSONSerializer.serialize_to_request`` walks every value with a dispatch by
shape type name (``getattr(self, f"_serialize_type_{type}")``) and a wrapper dict per list
item; for a CreateStage with 12 token configurations that is about ten times the
``json.dumps`` of the result. `compile_request` builds, once per operation, closures that do
what those methods do for that operation's shapes (members renamed as the model says, floats
as botocore writes them, timestamps and blobs by botocore's own converters) and returns the
same request dict: the same ``url_path``, ``query_string``, ``method``, ``headers`` and the
same body bytes. Operations it does not cover (query-string or header members, payloads, host
prefixes, non-string URI labels) return None and keep botocore's serializer.
``tests/serialization/test_serializer.py`` compares both for every operation of both services
on hypothesis-generated inputs.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Callable
from typing import Any

__all__ = ["compile_request"]

Serialize = Callable[[Any], Any]
Request = Callable[[dict[str, Any]], dict[str, Any]]


def _identity(value: Any) -> Any:
    return value


def _float(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if value == float("Infinity"):
        return "Infinity"
    if value == float("-Infinity"):
        return "-Infinity"
    if value != value:  # NaN
        return "NaN"
    return value


def _compile_shape(serializer: Any, shape: Any, seen: dict[str, Serialize]) -> Serialize:
    """The serialized form of a value of ``shape``, as botocore's JSONSerializer builds it."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _identity
        found = seen.get(shape.name)
        if found is not None:
            return found
        members: dict[str, tuple[str, Serialize]] = {}

        def structure(value: Any) -> Any:
            out = {}
            for key, item in value.items():
                name, serialize = members[key]  # an unknown member: KeyError, as botocore
                out[name] = serialize(item)
            return out

        seen[shape.name] = structure
        for key, member in shape.members.items():
            members[key] = (
                member.serialization.get("name", key),
                _compile_shape(serializer, member, seen),
            )
        return structure
    if kind == "list":
        item = _compile_shape(serializer, shape.member, seen)
        return lambda value: [item(x) for x in value]
    if kind == "map":
        mapped = _compile_shape(serializer, shape.value, seen)
        return lambda value: {k: mapped(v) for k, v in value.items()}
    if kind in ("float", "double"):
        return _float
    if kind == "timestamp":
        convert = serializer._convert_timestamp_to_str
        fmt = shape.serialization.get("timestampFormat")
        return lambda value: convert(value, fmt)
    if kind == "blob":
        return serializer._get_base64  # type: ignore[no-any-return]
    return _identity


def compile_request(serializer: Any, operation: Any) -> Request | None:
    """``serializer.serialize_to_request(params, operation)`` for ``operation``, compiled; None
    when the operation needs more than this covers (botocore's serializer then serves)."""
    shape = operation.input_shape
    http = operation.http
    if shape is None or "payload" in shape.serialization or "authPath" in http:
        return None
    if operation.endpoint or "?" in http["requestUri"]:
        return None
    if type(serializer).__name__ not in ("RestJSONSerializer",):
        return None
    seen: dict[str, Serialize] = {}
    body_members: dict[str, tuple[str, Serialize]] = {}
    uri_members: dict[str, str] = {}
    requires_empty_body = False
    for key, member in shape.members.items():
        location = member.serialization.get("location")
        if location is None:
            requires_empty_body = True
            body_members[key] = (
                member.serialization.get("name", key),
                _compile_shape(serializer, member, seen),
            )
        elif location == "uri" and member.type_name == "string":
            uri_members[key] = member.serialization.get("name", key)
        else:
            return None
    method = http.get("method", "POST")
    template = http["requestUri"]
    render = serializer._render_uri_template
    encoding = serializer.DEFAULT_ENCODING

    def request(params: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        uri: dict[str, Any] = {}
        for key, value in params.items():
            if value is None:
                continue
            found = body_members.get(key)
            if found is not None:
                body[found[0]] = found[1](value)
            else:
                uri[uri_members[key]] = value  # an unknown member: KeyError, as botocore
        serialized: dict[str, Any] = {
            "url_path": render(template, uri),
            "query_string": {},
            "method": method,
            "headers": {},
            "body": b"",
        }
        if body:
            serialized["body"] = json.dumps(body).encode(encoding)
        elif requires_empty_body:
            serialized["body"] = b"{}"
        if serialized["body"] != b"":
            serialized["headers"]["Content-Type"] = "application/json"
        return serialized

    return request
