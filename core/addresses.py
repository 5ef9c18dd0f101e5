"""Email addresses as users type them: validated without DNS, normalised for storage."""

from __future__ import annotations

from email.headerregistry import Address
from email.utils import getaddresses, parseaddr
from functools import lru_cache


class AddressError(ValueError):
    """An address a user gave is not usable; the message says why."""


def normalize(address: str) -> str:
    """The canonical, lower-case form of one bare address, or AddressError."""
    from email_validator import EmailNotValidError, validate_email  # only when one is given

    try:
        info = validate_email(address.strip(), check_deliverability=False,
                              allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AddressError(f"{address!r} is not a valid email address: {exc}") from None
    # One mailbox, one subscriber: Ann@… and ann@… are the same reader in practice.
    return info.normalized.lower()


@lru_cache(maxsize=256)  # the sender is checked for every message of a batch
def check_mailbox(value: str) -> tuple[str, str]:
    """(display name, address) of `Name <address>` or a bare address; ValueError if invalid."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must be one line without control characters")
    if len(getaddresses([value])) != 1:
        raise ValueError(f"{value!r}: give exactly one mailbox")
    name, address = parseaddr(value)
    if not address:
        raise ValueError(f"{value!r} is not a mailbox; write e.g. 'CSTO news <news@example.org>'")
    try:
        return name, normalize(address)
    except AddressError as exc:
        reason = str(exc).rstrip(".")
        raise ValueError(f"{value!r}: {reason}; write e.g. 'CSTO news <news@example.org>'"
                         ) from None


def header_address(value: str) -> Address:
    """A header-safe Address for `Name <address>`."""
    name, address = check_mailbox(value)
    user, _, domain = address.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


def domain_of(value: str) -> str:
    return check_mailbox(value)[1].rpartition("@")[2]


__all__ = ["AddressError", "check_mailbox", "domain_of", "header_address", "normalize"]
