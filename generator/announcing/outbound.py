"""Calls from the notifier to an address that a clinic's file names (its webhook): public, https only.

A clinic file is untrusted, so its webhook may not reach this machine or the private network (a cloud
metadata service, an admin page on loopback): every address its host resolves to must be public
(not loopback, link-local, private, shared, reserved, multicast or unspecified; an IPv4 address inside
an IPv6 one is checked as itself). The check is made on the addresses the connection then uses, with
no second look-up (a host that resolves to a public address for the check and a private one for the
call gets nowhere), and no proxy is used. A redirect is never followed. Plain http is refused.

Exceptions come only from the project's `notices.toml` (generator/settings.py): `allow_hosts` may
resolve to private addresses, `allow_http` may be called over plain http.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..settings import FILE, WebhookSettings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The call may not be made: the message says why (it names the host, never the whole URL)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def not_public(address: Address) -> str | None:
    """What kind of non-public address this is ("a loopback address"…), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if inner is not None:
            return not_public(inner)
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, without brackets
    port: int
    path: str  # with the query

    @property
    def shown(self) -> str:
        """The scheme and host only: a webhook URL's path often carries a secret token."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}"


def target(url: str, settings: WebhookSettings) -> Target:
    """The URL's parts, if its scheme may be used; raises Refused otherwise."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused("has no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused("has a port that is not a number from 1 to 65535") from None
    where = Target(scheme, host, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    if scheme == "http" and host not in settings.allow_http:
        raise Refused(f"{where.shown} uses plain http; a webhook must use https", _unless("allow_http", host))
    if scheme not in ("http", "https"):
        raise Refused(f"{where.shown} is not a web address; a webhook must use https")
    return where


def check_host(where: Target, settings: WebhookSettings) -> None:
    """Refuses a host that resolves to a non-public address (unless notices.toml allows it). A host
    that does not resolve now is not refused here: the call reports it, and the next run tries again."""
    try:
        _addresses(where, settings)
    except socket.gaierror:
        return


def post(url: str, body: bytes, headers: dict[str, str], settings: WebhookSettings,
         timeout: float) -> tuple[int, str | None]:
    """POST `body`; (HTTP status, Location header). Raises Refused, or OSError / HTTPException."""
    where = target(url, settings)
    cls = _HTTPSConnection if where.scheme == "https" else _HTTPConnection
    conn = cls(where.host, where.port, timeout=timeout)
    conn.pinned = (where, settings)
    try:
        conn.request("POST", where.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(65536)
        return response.status, response.getheader("Location")
    finally:
        conn.close()


def _unless(key: str, host: str) -> str:
    return (f"use the receiver's public https address; for a receiver of the project's own, list {host!r} "
            f"in {FILE} under [webhook] {key}")


def _addresses(where: Target, settings: WebhookSettings) -> list[tuple]:
    infos = socket.getaddrinfo(where.host, where.port, type=socket.SOCK_STREAM)
    if where.host in settings.allow_hosts:
        return infos
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        kind = not_public(address)
        if kind:
            said = "is" if where.host == str(address) else f"resolves to {address}, which is"
            raise Refused(f"{where.shown} {said} {kind}; a webhook may reach only public addresses",
                          _unless("allow_hosts", where.host))
    return infos


def _connect(where: Target, settings: WebhookSettings, timeout: float | None) -> socket.socket:
    error: OSError | None = None
    for family, kind, proto, _, address in _addresses(where, settings):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"{where.host} has no address")


class _HTTPConnection(http.client.HTTPConnection):
    pinned: tuple[Target, WebhookSettings]

    def connect(self) -> None:
        self.sock = _connect(*self.pinned, self.timeout)  # type: ignore[arg-type]


class _HTTPSConnection(http.client.HTTPSConnection):
    pinned: tuple[Target, WebhookSettings]

    def __init__(self, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())

    def connect(self) -> None:
        sock = _connect(*self.pinned, self.timeout)  # type: ignore[arg-type]
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
