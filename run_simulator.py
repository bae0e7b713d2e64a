#!/usr/bin/env python3
"""Start the dataset APIs simulator: ``python run_simulator.py --help``."""

from simulator.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
