"""OpenAPI 3.1 documents of the simulated Management API v2 and of the control API."""

from __future__ import annotations

from .control import control_document
from .management import management_document

__all__ = ["control_document", "management_document"]
