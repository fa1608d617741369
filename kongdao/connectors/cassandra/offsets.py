"""Page offsets on Cassandra: the driver's paging state, wrapped and checked.

Kong's Cassandra strategy hands out ``base64(paging_state)`` and sends back whatever it is given.
That is risky twice over: a paging state belongs to one query (Kong issue #4769: states reused
on another query made coordinators throw), and Cassandra 2.1 answers an undecodable state with a
protocol error on stream 0, which makes the driver drop the connection and the request time out
(seen here: 12 s, then "No hosts available"). So an offset is

    urlsafe-base64( 0x01 | digest(8 bytes) | paging state )    (no padding)

where the digest is a BLAKE2b of the paging state keyed by the query it belongs to (keyspace,
table, statement and, for partition queries, the bound partition value). An offset that was
tampered with, truncated, or produced by another query fails the digest and is refused *before*
anything is sent, with Kong's INVALID_OFFSET: ``'<offset>' is not a valid offset: Invalid value
for the paging state`` (``bad base64 encoding`` when it is not base64 at all). With protocol v3
the state's own layout (Cassandra's legacy ``PagingState``: a short-length partition key, a
short-length cell name, an int, and on Cassandra 3.x an optional second int) is checked as well.

Without the ``offset_secret`` setting the digest is a checksum, not a MAC: it stops accidents
and casual tampering, and the layout check keeps malformed v3 states from the server's decoder.
A state forged to pass both is refused by the server (mapped to the same INVALID_OFFSET), but
Cassandra 2.1 may first make the driver drop the connection for a couple of seconds; where
page offsets come from untrusted clients, set ``offset_secret`` (the same on every node) and the
digest becomes a keyed MAC that cannot be forged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from kongdao import errors
from kongdao.connectors.cassandra.errors import PAGING_STATE_ERROR, STRATEGY

__all__ = ["OffsetCodec"]

_VERSION = 1
_DIGEST = 8
_HEADER = 1 + _DIGEST


def _legacy_layout_ok(state: bytes) -> bool:
    """Whether ``state`` has the layout of a protocol v3 (legacy) paging state."""
    size = len(state)
    if size < 8:
        return False
    i = 2 + int.from_bytes(state[0:2], "big")
    if i + 2 > size:
        return False
    j = i + 2 + int.from_bytes(state[i : i + 2], "big")
    # 2.1 / 2.2 end with the remaining count; 3.x adds the remaining count in the partition.
    return size in (j + 4, j + 8)


class OffsetCodec:
    """Encodes paging states into offsets and back, for one protocol version.

    Args:
        protocol_version: The native protocol version in use (3 enables the layout check).
        secret: Makes the digest a keyed MAC (empty: a checksum).
    """

    __slots__ = ("check_layout", "secret")

    def __init__(self, protocol_version: int, secret: str = "") -> None:
        self.check_layout = protocol_version <= 3
        self.secret = hashlib.blake2b(secret.encode(), digest_size=32).digest()

    def key(self, *parts: str) -> bytes:
        """The digest key of one query, from its parts (keyspace, table, statement)."""
        return hashlib.blake2b(
            "\x00".join(parts).encode(), digest_size=32, key=self.secret
        ).digest()

    @staticmethod
    def _digest(key: bytes, partition: bytes, state: bytes) -> bytes:
        return hashlib.blake2b(partition + b"\x00" + state, digest_size=_DIGEST, key=key).digest()

    def encode(self, key: bytes, state: bytes, partition: bytes = b"") -> str:
        """The offset of ``state``, a paging state of the query ``key`` (for ``partition``)."""
        raw = bytes((_VERSION,)) + self._digest(key, partition, state) + state
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def decode(self, offset: str, key: bytes, partition: bytes = b"", prefix: int = 0) -> bytes:
        """The paging state inside ``offset``.

        ``prefix``: the number of leading bytes the caller put before the paging state (their
        layout is the caller's business; what follows may then be empty).

        Raises:
            InvalidOffset: ``bad base64 encoding``, or ``Invalid value for the paging state``
                when the offset was not made by :meth:`encode` for this query.
        """
        try:
            raw = base64.b64decode(offset + "=" * (-len(offset) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise errors.invalid_offset(offset, "bad base64 encoding", strategy=STRATEGY) from None
        state = raw[_HEADER:]
        if (
            len(raw) <= _HEADER
            or raw[0] != _VERSION
            or not hmac.compare_digest(raw[1:_HEADER], self._digest(key, partition, state))
            or len(state) < prefix
            or (
                self.check_layout
                and (prefix == 0 or len(state) > prefix)
                and not _legacy_layout_ok(state[prefix:])
            )
        ):
            raise errors.invalid_offset(offset, PAGING_STATE_ERROR, strategy=STRATEGY)
        return state
