"""Page offsets of the ``off`` connector: a position in one snapshot's list.

Kong's DB-less strategy hands out ``base64(tostring(n))`` (standard alphabet, no padding), ``n``
being the 1-based position of the next item in the cached list, and reads whatever list is in
the cache when the next page comes: a reload in between shifts the positions and mixes the two
configurations (or fails with ``stale data detected while paginating``). kongdao's offsets also
name the snapshot they page::

    base64("<n>:<snapshot id>")    (standard alphabet, no padding)

so the next page comes from the same configuration, as long as the connector still keeps it
(``keep_snapshots``). Errors are Kong's INVALID_OFFSET, with the reasons of Kong's ``off``
strategy: ``'<offset>' is not a valid offset: bad base64 encoding`` when it is not base64,
``invalid offset`` when it decodes to anything else than what this module writes, and
``stale data detected while paginating`` when its snapshot was replaced and dropped since.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final

from kongdao import errors

__all__ = ["STALE", "decode", "encode"]

STRATEGY: Final = "off"
STALE: Final = "stale data detected while paginating"

_TOKEN: Final = re.compile(r"([1-9][0-9]{0,17}):([0-9a-f]{1,64})\Z")


def encode(position: int, snapshot_id: str) -> str:
    """The offset of the item at 0-based ``position`` of snapshot ``snapshot_id``."""
    token = f"{position + 1}:{snapshot_id}".encode()
    return base64.b64encode(token).decode("ascii").rstrip("=")


def decode(offset: str) -> tuple[int, str]:
    """The 0-based position and the snapshot id an offset names.

    Raises:
        InvalidOffset: ``bad base64 encoding`` or ``invalid offset``.
    """
    try:
        raw = base64.b64decode(offset + "=" * (-len(offset) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise errors.invalid_offset(offset, "bad base64 encoding", strategy=STRATEGY) from None
    match = _TOKEN.match(raw.decode("latin-1"))
    if match is None:
        raise errors.invalid_offset(offset, "invalid offset", strategy=STRATEGY)
    return int(match.group(1)) - 1, match.group(2)
