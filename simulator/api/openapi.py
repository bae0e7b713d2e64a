"""Small builders for OpenAPI 3.1 operations, parameters and responses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .schemas import Schema, ref

JSON = "application/json"

ERRORS: dict[int, str] = {
    400: "Bad input: a parameter or the body is refused, or the dataset's status does not "
    "allow the action (`InvalidDatasetStatusPreconditionException`).",
    401: "No credentials, or wrong ones.",
    403: "The user lacks a permission the operation needs.",
    404: "No such dataset, or another object named in the path.",
    413: "The request body is larger than the simulator accepts (`--max-body`; uploads "
    "have their own limit).",
}

_PARAM = re.compile(r"{(\w+)}")


def error_responses() -> dict[str, Any]:
    """The shared error answers, each in the API's error shape."""
    return {
        f"E{code}": {"description": text, "content": {JSON: {"schema": ref("Error")}}}
        for code, text in ERRORS.items()
    }


def json_content(schema: Schema) -> dict[str, Any]:
    return {JSON: {"schema": schema}}


def body(schema: Schema, required: bool = True, description: str = "") -> dict[str, Any]:
    """A JSON request body (read as JSON whatever its ``Content-Type`` says)."""
    out: dict[str, Any] = {"required": required, "content": json_content(schema)}
    if description:
        out["description"] = description
    return out


def query(name: str, schema: Schema, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def operation(
    operation_id: str,
    summary: str,
    tag: str,
    ok: Schema | None = None,
    *,
    status: int = 200,
    content: dict[str, Any] | None = None,
    request: dict[str, Any] | None = None,
    params: Iterable[dict[str, Any]] = (),
    errors: Iterable[int] = (),
    description: str = "",
    links: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation: its answer on success, then the errors it may give."""
    answer: dict[str, Any] = {"description": description or summary}
    if ok is not None:
        answer["content"] = json_content(ok)
    elif content is not None:
        answer["content"] = content
    if links:
        answer["links"] = links
    responses: dict[str, Any] = {str(status): answer}
    if request is not None:  # any body may be too large
        errors = {*errors, 413}
    for code in sorted(errors):
        responses[str(code)] = {"$ref": f"#/components/responses/E{code}"}
    op: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "responses": responses,
    }
    if params:
        op["parameters"] = list(params)
    if request is not None:
        op["requestBody"] = request
    return op


def path_parameters(path: str) -> list[dict[str, Any]]:
    """References to the shared definitions of the parameters a path template names."""
    return [{"$ref": f"#/components/parameters/{name}"} for name in _PARAM.findall(path)]


def assemble(
    operations: Iterable[tuple[str, str, dict[str, Any]]],
) -> dict[str, dict[str, Any]]:
    """``paths`` from (path, method, operation) rows, path parameters declared once a path."""
    paths: dict[str, dict[str, Any]] = {}
    for path, method, op in operations:
        item = paths.setdefault(path, {})
        if "parameters" not in item and _PARAM.search(path):
            item["parameters"] = path_parameters(path)
        item[method] = op
    return paths


def links_to(*operation_ids: str, **parameters: str) -> dict[str, Any]:
    """Links from an answer to operations whose path parameters it gives.

    ``parameters`` maps each parameter to a runtime expression, such as
    ``$response.body#/dataset_uid`` or ``$request.path.dataset_uid``.
    """
    return {op: {"operationId": op, "parameters": dict(parameters)} for op in operation_ids}
