"""The Automation API v1.0: the platform's current API, over the same service as v2."""
