"""The control API surface, under ``/_sim``: the test harness's side of the simulator.

Its routes, its guard (Host, Origin, token), its OpenAPI document, and the
dashboard's files.
"""
