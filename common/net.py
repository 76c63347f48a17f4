"""The client's address, in one place: the portal's limits, the login lockout (django-axes) and
the security log all ask this function.

`X-Forwarded-For` is believed only when the socket peer is one of `settings.TRUSTED_PROXIES`
(addresses or networks, empty by default). The header is then read from the right, skipping the
trusted proxies; the first address that is not one of them is the client. Anyone else can write
any header they like, so without a trusted proxy the socket address is the client."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str:
    """The address of the client that sent `request` (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    current = _parse(remote)
    if not networks or not _trusted(current, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h for h in (part.strip() for part in forwarded.split(",")) if h]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Garbage written before a trusted proxy: the last proxy's own peer is all we know.
            return str(current)
        if not _trusted(address, networks):
            return str(address)
        current = address
    return str(current)
