"""A packed, immutable hash index of revoked serial numbers.

A Python ``dict`` of a million ``int`` serials to entries costs well over 100 bytes an
entry. Here each entry is its serial as fixed-width big-endian bytes, its revocation
time as an int64 and its reason as one byte, laid out bucket by bucket; an ``array`` of
bucket offsets (one bucket per entry, rounded up to a power of two) makes a lookup one
hash, one slice of at most a few entries and a bytes comparison: O(1) expected, about
35 bytes an entry (measured in tests/crypto/test_revoked_index.py and
docs/performance.md).

Buckets use Python's integer hash (the serial modulo 2**61 - 1), which is deterministic;
serials are chosen by our issuers (random 159-bit values), not by an attacker.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import NamedTuple

_UINT32_MAX = 0xFFFFFFFF


class IndexedEntry(NamedTuple):
    serial: int
    revoked_at: int  # seconds since the Unix epoch, UTC
    reason: int  # RFC 5280 CRLReason code


class RevokedIndex:
    __slots__ = ("_count", "_mask", "_offsets", "_reasons", "_serials", "_times", "_width")

    def __init__(
        self,
        *,
        width: int,
        mask: int,
        offsets: array[int],
        serials: bytes,
        times: array[int],
        reasons: bytes,
    ) -> None:
        self._width = width
        self._mask = mask
        self._offsets = offsets
        self._serials = serials
        self._times = times
        self._reasons = reasons
        self._count = len(reasons)

    @classmethod
    def build(cls, entries: Iterable[IndexedEntry]) -> RevokedIndex:
        serials: list[int] = []
        times = array("q")
        reasons = bytearray()
        for serial, revoked_at, reason in entries:
            if serial < 0:
                raise ValueError("serial numbers are positive")
            serials.append(serial)
            times.append(revoked_at)
            reasons.append(reason)
        count = len(serials)
        buckets = 1 << max(0, (count - 1).bit_length())
        mask = buckets - 1
        width = max(1, (max((s.bit_length() for s in serials), default=0) + 7) // 8)
        keys = array("Q", (hash(serial) & mask for serial in serials))
        offsets = array("I" if count <= _UINT32_MAX else "Q", bytes(8 * (buckets + 1)))
        offsets = offsets[: buckets + 1]
        for key in keys:
            offsets[key + 1] += 1
        for bucket in range(buckets):
            offsets[bucket + 1] += offsets[bucket]
        # Counting sort: place each entry in its bucket's run.
        order = array("Q", bytes(8 * count))
        fill = offsets[:-1]
        for position, key in enumerate(keys):
            order[fill[key]] = position
            fill[key] += 1
        del keys, fill
        packed_serials = b"".join(serials[i].to_bytes(width, "big") for i in order)
        packed_times = array("q", (times[i] for i in order))
        packed_reasons = bytes(reasons[i] for i in order)
        return cls(
            width=width,
            mask=mask,
            offsets=offsets,
            serials=packed_serials,
            times=packed_times,
            reasons=packed_reasons,
        )

    def get(self, serial: int) -> IndexedEntry | None:
        width = self._width
        if serial < 0 or serial.bit_length() > 8 * width:
            return None
        bucket = hash(serial) & self._mask
        start = self._offsets[bucket]
        end = self._offsets[bucket + 1]
        if start == end:
            return None
        wanted = serial.to_bytes(width, "big")
        serials = self._serials
        for position in range(start, end):
            if serials[position * width : (position + 1) * width] == wanted:
                return IndexedEntry(serial, self._times[position], self._reasons[position])
        return None

    def __contains__(self, serial: object) -> bool:
        return isinstance(serial, int) and self.get(serial) is not None

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[IndexedEntry]:
        width = self._width
        for position in range(self._count):
            raw = self._serials[position * width : (position + 1) * width]
            yield IndexedEntry(
                int.from_bytes(raw, "big"), self._times[position], self._reasons[position]
            )

    @property
    def nbytes(self) -> int:
        """Bytes held by the packed arrays (what the index costs beyond a few objects)."""
        return (
            len(self._serials)
            + self._times.itemsize * len(self._times)
            + len(self._reasons)
            + self._offsets.itemsize * len(self._offsets)
        )
