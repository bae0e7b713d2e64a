"""Datasource connections: make, read, change and delete them.

Every call needs the domain permission ``create_dataset``: a connection is where a new
dataset's resources come from. A world starts with none; they are made through the
Automation API.
"""

from __future__ import annotations

from ..domain import connections as rules
from ..domain.connections import Connection, UnknownConnection
from ..domain.errors import InvalidParameter
from ..domain.models import User
from .commands import Body, ConnectionFields
from .journal import mutation
from .operation import operation
from .state import State

NEEDED = "create_dataset"


class Connections:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def listing(self, user: User) -> tuple[Connection, ...]:
        self.state.require(user, NEEDED)
        return tuple(self.state.store.connections.values())

    @operation
    def get(self, user: User, uid: str) -> Connection:
        return self._find(user, uid)

    @mutation
    def create_connection(self, user: User, body: Body[ConnectionFields]) -> Connection:
        state = self.state
        state.require(user, NEEDED)
        fields = body()
        kind = rules.check_type(fields.type)
        made = Connection("", kind, created_by=user.username)
        self._apply(made, fields, creating=True)
        store = state.store
        if len(store.connections) >= rules.MAX_CONNECTIONS:
            raise InvalidParameter("type", f"the domain has {rules.MAX_CONNECTIONS} connections")
        made.uid = store.new_connection_uid()
        made.created_at = made.updated_at = state.engine.now
        store.connections[made.uid] = made
        return made

    @mutation
    def update_connection(self, user: User, uid: str, body: Body[ConnectionFields]) -> Connection:
        found = self._find(user, uid)
        fields = body()
        if "type" in fields.given and rules.check_type(fields.type) != found.type:
            raise InvalidParameter(
                "type", f"a connection's type cannot change (this one's is '{found.type}')"
            )
        changed = Connection(**{name: getattr(found, name) for name in Connection.__slots__})
        self._apply(changed, fields, creating=False)
        for name in ("url", "headers", "auth", "is_reusable"):
            setattr(found, name, getattr(changed, name))
        found.updated_at = self.state.engine.now
        return found

    @mutation
    def delete_connection(self, user: User, uid: str) -> None:
        self._find(user, uid)
        del self.state.store.connections[uid]

    def _find(self, user: User, uid: str) -> Connection:
        self.state.require(user, NEEDED)
        found = self.state.store.connections.get(uid)
        if found is None:
            raise UnknownConnection(uid)
        return found

    @staticmethod
    def _apply(target: Connection, fields: ConnectionFields, creating: bool) -> None:
        """Check what the fields set, and set it on ``target``; a secret sent back as
        read (``null``) keeps its value."""
        keys = rules.TYPES[target.type]
        given = fields.given
        for name in ("url", "headers", "auth"):
            if name in given and name not in keys and getattr(fields, name) is not None:
                raise InvalidParameter(name, f"not a key of a '{target.type}' connection")
        if "url" in keys and (creating or "url" in given):
            target.url = rules.check_url(fields.url)
        if "headers" in given:
            target.headers = rules.check_headers(fields.headers)
        if "auth" in given:
            auth = rules.check_auth(fields.auth)
            kept = target.auth or {}
            if auth is not None and kept.get("type") == auth.get("type"):
                for secret in rules.SECRETS & set(kept):
                    if auth.get(secret, "") is None:
                        auth[secret] = kept[secret]
            target.auth = auth
        if "is_reusable" in given:
            target.is_reusable = rules.check_reusable(fields.is_reusable)
