"""What each library is given for a fault on the wire, at the urllib3 level too."""

from __future__ import annotations

import io

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.util import Timeout

from simulator.testing.transport_errors import TransportFault, truncated, urllib3_error

ANSWER = (200, [("Content-Length", "20")], b'{"nhits": 0, "x": 1}')


def _fault(kind: str, wall_delay: float = 0.0) -> TransportFault:
    return TransportFault(kind, wall_delay, ANSWER)


def test_urllib3_is_given_what_the_network_would_give() -> None:
    assert isinstance(urllib3_error(_fault("reset"), None, "/x", None), ProtocolError)
    slow = _fault("delay", 30)
    late = urllib3_error(slow, None, "/x", Timeout(connect=1, read=2))
    assert isinstance(late, ReadTimeoutError)
    assert urllib3_error(slow, None, "/x", Timeout(connect=1, read=60)) is None
    assert urllib3_error(slow, None, "/x", None) is None
    assert urllib3_error(_fault("garble"), None, "/x", 1.0) is None


def test_a_truncated_urllib3_answer_fails_as_requests_reads_it() -> None:
    part = truncated(_fault("truncate"))
    assert part == ANSWER[2][:10]
    assert truncated(_fault("garble")) is None
    raw = HTTPResponse(
        body=io.BytesIO(part or b""),
        headers=dict(ANSWER[1]),
        status=200,
        preload_content=False,
        enforce_content_length=True,
    )
    request = requests.Request("GET", "https://example.opendatasoft.com/x").prepare()
    response = HTTPAdapter().build_response(request, raw)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        response.content  # noqa: B018  # reading it is the point
