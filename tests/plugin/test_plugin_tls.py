"""The pytest plugin over HTTPS: ``ods_tls`` in a conftest, the handle's ``ca_file``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_ods_tls_serves_the_session_over_https_with_a_ca_to_trust(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def ods_tls():
    return True
"""
    )
    pytester.makepyfile(
        """
import os
import ssl

import requests

def test_https(ods):
    assert ods.url.startswith("https://127.0.0.1:")
    assert os.path.isfile(ods.ca_file)
    s = ods.session()
    created = s.post(f"{ods.api_url}/datasets", json={"dataset_id": "a"})
    assert created.status_code == 200
    assert ods.automation_url == f"{ods.url}/api/automation/v1.0"
    page = s.get(f"{ods.automation_url}/datasets/?limit=0").json()
    assert page["total_count"] == 1

def test_untrusted_is_refused(ods):
    try:
        requests.get(f"{ods.url}/_sim/health", verify=True, timeout=10)
    except requests.exceptions.SSLError:
        return
    raise AssertionError("an unknown CA was trusted")

def test_a_stdlib_client_with_the_ca(ods):
    import urllib.request
    context = ssl.create_default_context(cafile=ods.ca_file)
    with urllib.request.urlopen(f"{ods.url}/_sim/health", context=context) as answer:
        assert answer.status == 200
"""
    )
    # in a process of its own: an in-process inner session would unload the
    # cryptography modules it imported, which cannot be imported twice in one process
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_without_ods_tls_the_handle_has_no_ca_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_http(ods):
    assert ods.url.startswith("http://")
    assert ods.ca_file is None
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
