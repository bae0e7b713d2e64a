"""A local simulator of the Opendatasoft Management API v2 on a virtual clock."""

__version__ = "0.1.0"
