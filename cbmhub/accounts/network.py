"""The client's address behind trusted reverse proxies (``CBMHUB_TRUSTED_PROXIES``).

Behind a TLS proxy every request comes from the proxy's address; the client's is in
``X-Forwarded-For``, which the client can also write. Only the entries that trusted proxies
appended are believed: walking the header from the right (the entry the nearest proxy wrote),
an address is passed over while it is a trusted proxy's, and the first one that is not is the
client. With no trusted proxies the peer address (``REMOTE_ADDR``) is the client, whatever the
header says. Pure functions: no Django, so the parsing is tested on its own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TrustedProxies:
    """Either a number of proxies in front of the app (``count``) or their addresses."""

    count: int = 0
    networks: tuple[Network, ...] = field(default=())

    def trusts(self, address: Address, hop: int) -> bool:
        """Whether the ``hop``-th address from the right (0: the peer) is a trusted proxy."""
        if self.networks:
            return any(address in network for network in self.networks)
        return hop < self.count


def parse_trusted_proxies(value: str) -> TrustedProxies:
    """``""`` (none), a count (``"1"``) or a comma-separated list of addresses and networks
    (``"10.0.0.5, 192.168.0.0/24, ::1"``). Raises ValueError naming the entry it cannot read."""
    value = value.strip()
    if not value:
        return TrustedProxies()
    if value.isdigit():
        return TrustedProxies(count=int(value))
    networks = []
    for number, item in enumerate(value.split(","), 1):
        item = item.strip()
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"CBMHUB_TRUSTED_PROXIES: entry {number} ({item!r}) is neither a number of "
                "proxies nor an IP address or network"
            ) from None
    return TrustedProxies(networks=tuple(networks))


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "198.51.100.7:51234"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# A header longer than this many entries is not read further (no proxy chain is that long);
# the walk stays linear in a bounded number of entries whatever the client sends.
MAX_HOPS = 32


def client_address(meta: Mapping[str, str], proxies: TrustedProxies) -> str | None:
    """The client's address for a request's ``META``."""
    peer = _address(meta.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return meta.get("REMOTE_ADDR") or None
    if not proxies.trusts(peer, 0):
        return str(peer)
    header = meta.get("HTTP_X_FORWARDED_FOR", "") or ""
    forwarded: Sequence[str] = header.rsplit(",", MAX_HOPS)[-MAX_HOPS:]
    client = peer
    for hop, entry in enumerate(reversed(forwarded), 1):
        address = _address(entry)
        if address is None:
            # Written by the client or garbled: the last address a trusted proxy vouched
            # for is the client's, and a client cannot choose it.
            break
        client = address
        if not proxies.trusts(address, hop):
            break
    return str(client)
