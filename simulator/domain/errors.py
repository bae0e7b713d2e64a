"""Domain errors: every refusal, with a stable key and the parameters that explain it.

An error has an ``error_key`` (the platform's own names, such as
``InvalidDatasetStatusPreconditionException``), a ``raw_message`` template and the
``raw_params`` that fill it. What status code and body an error becomes is each API
surface's business (see :mod:`simulator.api`); :meth:`SimulatorError.describe` gives
the parts every surface words its answer from.
"""

from __future__ import annotations

from typing import Any, ClassVar

#: Every error class by its key, so a refusal kept as data (a script's step) can be
#: answered as the error it was.
ERRORS: dict[str, type[SimulatorError]] = {}


class SimulatorError(Exception):
    """A refusal an API reports to its caller."""

    error_key: ClassVar[str] = "ODSException"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if isinstance(cls.error_key, str):  # not a key that varies by instance
            ERRORS.setdefault(cls.error_key, cls)

    def __init__(self, raw_message: str, **raw_params: Any) -> None:
        self.raw_message = raw_message
        self.raw_params = raw_params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.raw_message.format(**self.raw_params)

    def describe(self) -> dict[str, Any]:
        """The refusal as plain data: its key, its message, the template and its values."""
        return {
            "error_key": self.error_key,
            "message": self.message,
            "raw_message": self.raw_message,
            "raw_params": {k: _plain(v) for k, v in self.raw_params.items()},
        }


ERRORS[SimulatorError.error_key] = SimulatorError


def _plain(value: Any) -> Any:
    return (
        value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
    )


class BadRequest(SimulatorError):
    """A request the platform cannot act on (its generic key)."""


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
    """Several errors at once, each kept in :attr:`errors`."""

    error_key = "InvalidManagementAPIRequestException"

    def __init__(self, errors: list[SimulatorError]) -> None:
        self.errors = errors
        super().__init__("The request has {count} errors", count=len(errors))


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
    """Something named that does not exist (or that the caller may not see)."""

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


class UnknownResource(NotFound):
    error_key = "UnknownResourceException"

    def __init__(self, resource_uid: str) -> None:
        super().__init__("Unknown resource: {resource_uid}", resource_uid=resource_uid)


class UnknownFile(NotFound):
    error_key = "UnknownFileException"

    def __init__(self, file_id: str) -> None:
        super().__init__("Unknown file: {file_id}", file_id=file_id)


class UnknownAttachment(NotFound):
    error_key = "UnknownAttachmentException"

    def __init__(self, attachment_uid: str) -> None:
        super().__init__("Unknown attachment: {attachment_uid}", attachment_uid=attachment_uid)


class UnknownAlternativeExport(NotFound):
    error_key = "UnknownAlternativeExportException"

    def __init__(self, export_uid: str) -> None:
        super().__init__("Unknown alternative export: {export_uid}", export_uid=export_uid)


class UnknownMetadata(NotFound):
    error_key = "UnknownMetadataException"

    def __init__(self, template: str, name: str) -> None:
        super().__init__("Unknown metadata: {template}/{name}", template=template, name=name)


class UnknownTemplate(NotFound):
    """A metadata template the domain does not have, or a field it does not define."""

    error_key = "UnknownTemplateException"

    def __init__(self, template: str, name: str | None = None) -> None:
        if name is None:
            super().__init__("Unknown metadata template: {template}", template=template)
        else:
            super().__init__("Unknown metadata: {template}/{name}", template=template, name=name)


class UnknownProcessor(NotFound):
    error_key = "UnknownProcessorException"

    def __init__(self, processor_uid: str) -> None:
        super().__init__("Unknown processor: {processor_uid}", processor_uid=processor_uid)


class UnknownRuleset(NotFound):
    error_key = "UnknownRulesetException"

    def __init__(self, username: str) -> None:
        super().__init__(
            "No security ruleset for user {username} on this dataset", username=username
        )


class UnknownGroup(NotFound):
    error_key = "UnknownGroupException"

    def __init__(self, group_id: str) -> None:
        super().__init__("Unknown group: {group_id}", group_id=group_id)


class UnknownGroupRuleset(NotFound):
    error_key = "UnknownRulesetException"

    def __init__(self, group_id: str) -> None:
        super().__init__(
            "No security ruleset for group {group_id} on this dataset", group_id=group_id
        )


class UnknownApiKey(NotFound):
    error_key = "UnknownAPIKeyException"

    def __init__(self, key: str) -> None:
        super().__init__("Unknown API key: {key}", key=key)


class ApiKeyUpdateEmpty(SimulatorError):
    error_key = "PermissionsOrLabelMissingFromAPIKeyUpdateException"

    def __init__(self) -> None:
        super().__init__("'permissions' or 'label' must be provided to update an API key")


class UnknownChange(NotFound):
    error_key = "UnknownChangeException"

    def __init__(self, change_uid: Any) -> None:
        super().__init__("Unknown change: {change_uid}", change_uid=change_uid)


class UnknownPage(NotFound):
    error_key = "UnknownPageException"

    def __init__(self, slug: str) -> None:
        super().__init__("Unknown page: {slug}", slug=slug)


class UnknownHarvester(NotFound):
    error_key = "UnknownHarvesterException"

    def __init__(self, harvester_id: str) -> None:
        super().__init__("Unknown harvester: {harvester_id}", harvester_id=harvester_id)


class InvalidHarvesterStatus(SimulatorError):
    """An action a harvester's status does not allow now (400)."""

    error_key = "InvalidHarvesterStatusException"

    def __init__(self, current_status: str, target_status: str) -> None:
        super().__init__(
            "Invalid transition from {current_status} to {target_status}",
            current_status=current_status,
            target_status=target_status,
        )


class UnknownPageRuleset(NotFound):
    error_key = "UnknownRulesetException"

    def __init__(self, kind: str, name: str) -> None:
        super().__init__("No security ruleset for {kind} {name} on this page", kind=kind, name=name)


class MethodNotAllowed(SimulatorError):
    error_key = "MethodNotAllowedException"

    def __init__(self, method: str, path: str, allowed: str) -> None:
        super().__init__(
            "Method {method} is not allowed on {path}; allowed: {allowed}",
            method=method,
            path=path,
            allowed=allowed,
        )


class AuthenticationRequired(SimulatorError):
    error_key = "AuthenticationRequiredException"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "{reason}. Send 'Authorization: Apikey <key>', '?apikey=<key>' "
            "or HTTP Basic credentials",
            reason=reason,
        )


class PermissionDenied(SimulatorError):
    error_key = "PermissionDeniedException"

    def __init__(self, username: str, permission: str) -> None:
        super().__init__(
            "User '{username}' lacks the permission '{permission}'",
            username=username,
            permission=permission,
        )


class KeyManagementRefused(PermissionDenied):
    """API keys are created, changed and deleted with a password, never with a key."""

    def __init__(self) -> None:
        SimulatorError.__init__(
            self,
            "API keys cannot be created, changed or deleted with an API key; "
            "authenticate with HTTP Basic credentials",
        )


class InvalidScenario(SimulatorError):
    """A scenario given to the control API that cannot be loaded."""

    error_key = "InvalidScenarioException"

    def __init__(
        self,
        source: str,
        line: int | None,
        path: str,
        problem: str,
        mistakes: list[dict[str, Any]] | None = None,
        more: int = 0,
    ) -> None:
        where = f"{source}:{line}" if line else source
        template = "{where}: {path}: {problem}" if path else "{where}: {problem}"
        if mistakes is not None and (len(mistakes) > 1 or more):
            template = "{source}: {count} mistakes\n{listed}"
            lines = [f"  {_where(m)}" for m in mistakes] + ([f"  and {more} more"] if more else [])
            super().__init__(
                template,
                source=source,
                count=len(mistakes) + more,
                listed="\n".join(lines),
            )
            self.raw_params.update(where=where, path=path, problem=problem)
        else:
            super().__init__(template, where=where, path=path, problem=problem)
        #: Each mistake as data (the first is the one above), and how many more were found.
        self.raw_params.update(source=source, line=line, mistakes=mistakes or [], more=more)


def _where(mistake: dict[str, Any]) -> str:
    line, path = mistake["line"], mistake["path"]
    where = f"{mistake['source']}:{line}" if line else mistake["source"]
    return f"{where}: {path}: {mistake['problem']}" if path else f"{where}: {mistake['problem']}"


class InvalidSnapshot(SimulatorError):
    """A snapshot that cannot be restored: unreadable, of another format, or not faithful."""

    error_key = "InvalidSnapshotException"

    def __init__(self, source: str, problem: str) -> None:
        super().__init__("{source}: {problem}", source=source, problem=problem)


class SnapshotUnavailable(SimulatorError):
    """A snapshot asked for that this simulator cannot take or save."""

    error_key = "SnapshotUnavailableException"

    def __init__(self, reason: str) -> None:
        super().__init__("{reason}", reason=reason)


class StateFileError(SimulatorError):
    """The state file could not be written (the disk, not the request, is at fault)."""

    error_key = "StateFileException"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("Cannot write the state file {path}: {reason}", path=path, reason=reason)


class BodyTooLarge(SimulatorError):
    """A request body over the limit, refused before it is read."""

    error_key = "RequestEntityTooLargeException"

    def __init__(self, limit: int) -> None:
        super().__init__(
            "The request body is larger than {limit} bytes, the most this call accepts",
            limit=limit,
        )


class HTTPError(SimulatorError):
    """A refusal of the HTTP layer itself, with its own status code."""

    error_key = "HTTPException"

    def __init__(self, status: int, description: str) -> None:
        self.status = status
        super().__init__("{description}", description=description)


class ScheduleExists(HTTPError):
    """A second schedule with the same cron expression on one dataset: 409, which a
    real client of the platform reads as "already exists"."""

    error_key = "ScheduleAlreadyExistsException"

    def __init__(self, cron_schedule: str, schedule_uid: str) -> None:
        SimulatorError.__init__(
            self,
            "The dataset already has the schedule '{cron_schedule}' ({schedule_uid})",
            cron_schedule=cron_schedule,
            schedule_uid=schedule_uid,
        )
        self.status = 409


class UnknownFeedback(NotFound):
    error_key = "UnknownFeedbackException"

    def __init__(self, feedback_uid: str) -> None:
        super().__init__("Unknown feedback: {feedback_uid}", feedback_uid=feedback_uid)


class UnknownSchedule(NotFound):
    error_key = "UnknownScheduleException"

    def __init__(self, schedule_uid: str) -> None:
        super().__init__("Unknown schedule: {schedule_uid}", schedule_uid=schedule_uid)


#: The platform's keys of the refusals an HTTP fault may stand for, by status code.
INJECTED_KEYS: dict[int, str] = {
    400: "ODSException",
    401: "AuthenticationRequiredException",
    403: "PermissionDeniedException",
    404: "NotFoundException",
    408: "RequestTimeoutException",
    429: "TooManyRequestsException",
    500: "InternalServerErrorException",
    502: "BadGatewayException",
    503: "ServiceUnavailableException",
    504: "GatewayTimeoutException",
}


class InjectedFailure(HTTPError):
    """What an HTTP fault answers a call with, when its scenario gives no body of its own."""

    def __init__(self, status: int) -> None:
        SimulatorError.__init__(
            self, "Injected failure: the platform answered {status_code}", status_code=status
        )
        self.status = status

    @property
    def error_key(self) -> str:  # type: ignore[override]  # by status, not one class key
        return INJECTED_KEYS.get(self.status, HTTPError.error_key)


class InternalError(SimulatorError):
    """A bug in the simulator; bad input must never end here."""

    error_key = "InternalServerErrorException"

    def __init__(self, detail: str) -> None:
        super().__init__("The simulator failed: {detail}", detail=detail)
