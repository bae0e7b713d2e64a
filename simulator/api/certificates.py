"""Certificates for serving HTTPS: a local test CA made at start, or the user's own pair.

Real clients of the platform hard-code ``https://``. A certificate authority made
here, for this run only, signs a certificate for the loopback names (and the names
the simulator is reached by); a client trusts the CA's file (``SSL_CERT_FILE``,
``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) and talks to the simulator unchanged.
The certificates' dates come from the wall clock: a client checks them against it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import shutil
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: The names every local certificate holds.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: Interfaces that stand for "every interface", which no certificate can name.
ANY_INTERFACE = frozenset({"", "0.0.0.0", "::"})


class CertificateError(ValueError):
    """A certificate or key that cannot be used, with a message for the command line."""


@dataclass
class ServerCertificate:
    """What a TLS server needs: its context, and the CA file a client trusts (if ours)."""

    context: ssl.SSLContext
    #: The local CA's certificate (PEM) to trust; ``None`` for the user's own certificate.
    ca_file: Path | None
    #: The names the certificate was made for (empty for the user's own).
    names: tuple[str, ...] = ()
    _directory: Path | None = field(default=None, repr=False)

    def remove(self) -> None:
        """Delete the local CA's file, once nothing serves with it."""
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None


def certificate_names(host: str, extra: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The loopback names, the listening host (unless it is every interface), and ``extra``."""
    names: list[str] = list(LOOPBACK_NAMES)
    for name in (host, *extra):
        name = name.strip().strip("[]").lower()
        if name in ANY_INTERFACE or name in names:
            continue
        names.append(_canonical(name))
    return tuple(dict.fromkeys(names))


def _canonical(name: str) -> str:
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(name))
    return name


def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # the server speaks HTTP/1.1 only: a client that offers h2 is told so at the handshake
    context.set_alpn_protocols(["http/1.1"])
    return context


def local_certificate(names: tuple[str, ...]) -> ServerCertificate:
    """A fresh CA, and a certificate it signs for ``names``; the CA written to a temp file."""
    import trustme

    ca = trustme.CA(organization_name="ods-simulator local test CA")
    leaf = ca.issue_cert(*names, common_name=names[0])
    context = _server_context()
    leaf.configure_cert(context)
    directory = Path(tempfile.mkdtemp(prefix="ods-simulator-tls-"))
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return ServerCertificate(context, ca_file, names, directory)


def own_certificate(cert: Path, key: Path | None) -> ServerCertificate:
    """The user's certificate chain and key (PEM; the key may be in the certificate's file)."""
    for path in (cert, key):
        if path is not None and not path.is_file():
            raise CertificateError(f"no such file: {path}")
    context = _server_context()
    pair = f"{cert}{'' if key is None else f' and {key}'}"
    try:
        context.load_cert_chain(str(cert), None if key is None else str(key))
    except ssl.SSLError as exc:
        raise CertificateError(
            f"cannot serve with {pair}: not a PEM certificate chain and its private key "
            f"({exc.reason or exc.args[-1]})"
        ) from None
    except OSError as exc:
        raise CertificateError(f"cannot read {pair}: {exc.strerror or exc}") from None
    return ServerCertificate(context, None)
