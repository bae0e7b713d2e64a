"""The HTTP surface: the Management API v2 and the simulator's control API."""

from .app import create_app, get_simulator

__all__ = ["create_app", "get_simulator"]
