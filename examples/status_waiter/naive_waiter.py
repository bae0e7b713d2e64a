"""Publish a dataset and wait for it: the way a first draft often does it.

It works on a good day. It has no timeout on its calls, does not retry when the
platform pushes back (429) or a connection drops, and waits for ``idle`` forever,
so a dataset that ends in ``error`` keeps it polling until someone kills it. The
fault sweep of ``test_sweep.py`` finds each of these weaknesses.
"""

from __future__ import annotations

import time

import requests


def publish_and_wait(domain_url: str, apikey: str, dataset_uid: str) -> dict:
    api = f"{domain_url.rstrip('/')}/api/management/v2/datasets/{dataset_uid}"
    headers = {"Authorization": f"Apikey {apikey}"}
    requests.put(f"{api}/publish", headers=headers).raise_for_status()
    while True:
        status = requests.get(f"{api}/status", headers=headers)
        status.raise_for_status()
        if status.json()["name"] == "idle":
            return status.json()
        time.sleep(3)
