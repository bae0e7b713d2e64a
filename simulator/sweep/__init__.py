"""Fault sweeps: run a client once clean, then once per fault at each point it reached.

See :mod:`.plan` (the cases), :mod:`.report` (what was found).
"""
