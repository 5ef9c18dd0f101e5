"""Which IP addresses a link may lead to: only globally routable ones.

The classification is the `ipaddress` module's (IANA's special-purpose registries); this
module only names the kind of address for the one-line reason a user reads.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address

IPAddress = IPv4Address | IPv6Address
_UNIQUE_LOCAL = IPv6Network("fc00::/7")
# Most specific first: 127.0.0.1 is also "private" to ipaddress, "loopback" says more.
_KINDS = (
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_reserved", "a reserved"),
    ("is_private", "a private"),
)


def parse_ip(text: str) -> IPAddress | None:
    """The address a URL host or a resolver answer spells (`[::1]`, `fe80::1%eth0` too),
    or None for a host name. Only canonical spellings: `127.2` or `2130706434` are names
    here (the resolver turns them into addresses, and the addresses are checked)."""
    text = text.strip().removeprefix("[").removesuffix("]").split("%", 1)[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def non_public_kind(address: IPAddress) -> str | None:
    """`a loopback address`, `a private address` ...; None for a global one."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 connects to 127.0.0.1
    if isinstance(address, IPv6Address) and address in _UNIQUE_LOCAL:
        return "a unique-local address"
    for attribute, kind in _KINDS:
        if getattr(address, attribute):
            return f"{kind} address"
    if not address.is_global:  # shared (100.64/10), documentation, benchmarking ...
        return "a non-public address"
    return None
