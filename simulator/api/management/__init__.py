"""The Management API v2 surface: its routes, requests, answers, errors and document."""
