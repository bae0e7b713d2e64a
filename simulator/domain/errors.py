"""Domain errors, each carrying the platform's error shape.

An error has a stable ``error_key``, a ``raw_message`` template and the ``raw_params``
that fill it, as the Management API reports them. The HTTP layer renders every error
through :meth:`SimulatorError.to_dict`; nothing else builds an error body.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SimulatorError(Exception):
    """A refusal the API reports to its caller."""

    status_code: ClassVar[int] = 400
    error_key: ClassVar[str] = "ODSException"

    def __init__(self, raw_message: str, **raw_params: Any) -> None:
        self.raw_message = raw_message
        self.raw_params = raw_params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.raw_message.format(**self.raw_params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "error_key": self.error_key,
            "message": self.message,
            "raw_message": self.raw_message,
            "raw_params": {k: _plain(v) for k, v in self.raw_params.items()},
        }


def _plain(value: Any) -> Any:
    return (
        value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
    )


class BadRequest(SimulatorError):
    """A request the API cannot act on (the platform's generic key)."""


class InvalidJSON(SimulatorError):
    error_key = "InvalidJSONException"

    def __init__(self, reason: str) -> None:
        super().__init__("The request body is not valid JSON: {reason}", reason=reason)


class InvalidParameter(SimulatorError):
    """One named field or query parameter has a bad value."""

    error_key = "InvalidParameterException"

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(
            "Invalid value for '{parameter}': {reason}", parameter=parameter, reason=reason
        )


class InvalidRequest(SimulatorError):
    """Several errors at once, listed under ``errors``."""

    error_key = "InvalidManagementAPIRequestException"

    def __init__(self, errors: list[SimulatorError]) -> None:
        self.errors = errors
        super().__init__("The request has {count} errors", count=len(errors))

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["errors"] = [e.to_dict() for e in self.errors]
        return body


class InvalidStatusPrecondition(SimulatorError):
    error_key = "InvalidDatasetStatusPreconditionException"

    def __init__(self, current_status: str, authorized_origin_status: str) -> None:
        super().__init__(
            "Invalid precondition, dataset status is '{current_status}' "
            "but must be one of '{authorized_origin_status}'",
            current_status=current_status,
            authorized_origin_status=authorized_origin_status,
        )


class NotFound(SimulatorError):
    status_code = 404
    error_key = "NotFoundException"


class UnknownDataset(NotFound):
    error_key = "UnknownDatasetException"

    def __init__(self, dataset_uid: str) -> None:
        super().__init__("Unknown dataset: {dataset_uid}", dataset_uid=dataset_uid)


class UnknownJob(NotFound):
    error_key = "UnknownJobException"

    def __init__(self, job_id: str) -> None:
        super().__init__("Unknown job: {job_id}", job_id=job_id)


class UnknownUsername(NotFound):
    error_key = "UnknownUsernameException"

    def __init__(self, username: str) -> None:
        super().__init__("Unknown username: {username}", username=username)


class MethodNotAllowed(SimulatorError):
    status_code = 405
    error_key = "MethodNotAllowedException"

    def __init__(self, method: str, path: str, allowed: str) -> None:
        super().__init__(
            "Method {method} is not allowed on {path}; allowed: {allowed}",
            method=method,
            path=path,
            allowed=allowed,
        )


class AuthenticationRequired(SimulatorError):
    status_code = 401
    error_key = "AuthenticationRequiredException"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "{reason}. Send 'Authorization: Apikey <key>', '?apikey=<key>' "
            "or HTTP Basic credentials",
            reason=reason,
        )


class PermissionDenied(SimulatorError):
    status_code = 403
    error_key = "PermissionDeniedException"

    def __init__(self, username: str, permission: str) -> None:
        super().__init__(
            "User '{username}' lacks the permission '{permission}'",
            username=username,
            permission=permission,
        )


class InvalidScenario(SimulatorError):
    """A scenario given to the control API that cannot be loaded."""

    error_key = "InvalidScenarioException"

    def __init__(self, source: str, line: int | None, path: str, problem: str) -> None:
        where = f"{source}:{line}" if line else source
        template = "{where}: {path}: {problem}" if path else "{where}: {problem}"
        super().__init__(template, where=where, path=path, problem=problem)
        self.raw_params.update(source=source, line=line)


class InvalidSnapshot(SimulatorError):
    """A snapshot that cannot be restored: unreadable, of another format, or not faithful."""

    error_key = "InvalidSnapshotException"

    def __init__(self, source: str, problem: str) -> None:
        super().__init__("{source}: {problem}", source=source, problem=problem)


class SnapshotUnavailable(SimulatorError):
    """A snapshot asked for that this simulator cannot take or save."""

    status_code = 409
    error_key = "SnapshotUnavailableException"

    def __init__(self, reason: str) -> None:
        super().__init__("{reason}", reason=reason)


class StateFileError(SimulatorError):
    """The state file could not be written (the disk, not the request, is at fault)."""

    status_code = 500
    error_key = "StateFileException"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("Cannot write the state file {path}: {reason}", path=path, reason=reason)


class BodyTooLarge(SimulatorError):
    """A request body over the limit, refused before it is read."""

    status_code = 413
    error_key = "RequestEntityTooLargeException"

    def __init__(self, limit: int) -> None:
        super().__init__(
            "The request body is larger than {limit} bytes, the most this call accepts",
            limit=limit,
        )


class HTTPError(SimulatorError):
    """Any other refusal of the HTTP layer, with its own status code."""

    error_key = "HTTPException"

    def __init__(self, status_code: int, description: str) -> None:
        self.status_code = status_code  # type: ignore[misc]
        super().__init__("{description}", description=description)


class InternalError(SimulatorError):
    """A bug in the simulator; bad input must never end here."""

    status_code = 500
    error_key = "InternalServerErrorException"

    def __init__(self, detail: str) -> None:
        super().__init__("The simulator failed: {detail}", detail=detail)
