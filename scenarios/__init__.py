"""The scenario library, shipped inside the package as ``simulator.scenarios``."""
