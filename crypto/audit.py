"""The audit chain: an append-only hash chain over canonical entries, with signed
checkpoints, and a verifier that names the first entry tampered with.

``entry_hash = SHA-256(prev_hash || canonical(entry))`` where the first entry's
``prev_hash`` is 32 zero bytes and ``canonical`` is deterministic JSON (crypto._encoding)
of exactly the stored fields ``seq, occurred_at, actor, action, object_type, object_id,
data``. Sequence numbers start at 1 and have no gaps. A checkpoint is the service's
signature over (seq, entry_hash, signed_at); it pins everything before it, so even a
chain rewritten consistently after an edit is caught.

How ``verify_chain`` tells tampering apart, walking entries in stored order:

============================================================ =========== =============
what it sees                                                  kind        seq reported
============================================================ =========== =============
a seq that was already seen (or below the first)              inserted    that seq
prev_hash is the hash of an entry stored *after* this one      reordered   this seq
the expected seq is missing but appears later                 reordered   expected seq
the expected seq is missing altogether                        deleted     expected seq
prev_hash is the hash of the entry *before* the previous one  inserted    previous seq
prev_hash matches nothing we saw                              edited      previous seq
the recomputed hash differs from the stored one               edited      that seq
a checkpoint's hash differs from the entry at its seq         edited      first seq after
                                                                          the last good
                                                                          checkpoint
a checkpoint beyond the last entry                            deleted     next seq
============================================================ =========== =============

"prev_hash matches nothing" is reported as an edit of the previous entry (its content
was changed and its hash recomputed); a deletion whose followers were renumbered and
rehashed looks the same, and the report then points at the entry before the gap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NoReturn
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric import ec

from crypto import _envelope
from crypto._encoding import b64_decode, canonical_json, format_time, parse_time
from crypto.errors import AuditChainBrokenError, MalformedInputError, UnknownIssuerError
from crypto.signers import Signer

GENESIS_HASH = bytes(32)
FIRST_SEQ = 1
CHECKPOINT_TYPE = "hue-ecard/audit-checkpoint"
CHECKPOINT_VERSION = 1


class TamperKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"


@dataclass(frozen=True)
class AuditEntry:
    """One stored audit entry (the columns of the service's audit table)."""

    seq: int
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: UUID | None
    data: Mapping[str, Any]
    prev_hash: bytes
    entry_hash: bytes

    def canonical(self) -> bytes:
        return canonical_entry(
            seq=self.seq,
            occurred_at=self.occurred_at,
            actor=self.actor,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            data=self.data,
        )


def canonical_entry(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: UUID | None,
    data: Mapping[str, Any],
) -> bytes:
    return canonical_json(
        {
            "seq": seq,
            "occurred_at": format_time(occurred_at),
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "data": data,
        }
    )


def chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(prev_hash + canonical).digest()


def append_entry(
    previous: AuditEntry | None,
    *,
    occurred_at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: UUID | None,
    data: Mapping[str, Any],
) -> AuditEntry:
    """The entry that follows ``previous`` (``None`` for the first), hashes filled in."""
    seq = FIRST_SEQ if previous is None else previous.seq + 1
    prev_hash = GENESIS_HASH if previous is None else previous.entry_hash
    canonical = canonical_entry(
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data,
    )
    return AuditEntry(
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data,
        prev_hash=prev_hash,
        entry_hash=chain_hash(prev_hash, canonical),
    )


# ------------------------------------------------------------------ checkpoints


@dataclass(frozen=True)
class AuditCheckpoint:
    """A verified checkpoint; ``envelope`` is the signed bytes to store."""

    seq: int
    entry_hash: bytes
    signed_at: datetime
    key_id: str
    envelope: bytes


def sign_checkpoint(entry: AuditEntry, signer: Signer, *, now: datetime) -> AuditCheckpoint:
    content = {"seq": entry.seq, "entry_hash": entry.entry_hash, "signed_at": format_time(now)}
    envelope = _envelope.seal(
        signer, type_=CHECKPOINT_TYPE, version=CHECKPOINT_VERSION, content=content
    )
    signed_at = parse_time(content["signed_at"])  # as stored: microsecond precision
    return AuditCheckpoint(entry.seq, entry.entry_hash, signed_at, signer.key_id, envelope)


def verify_checkpoint(
    unverified_checkpoint: bytes, *, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> AuditCheckpoint:
    def lookup(key_id: str) -> ec.EllipticCurvePublicKey:
        if key_id not in keys:
            raise UnknownIssuerError(key_id)
        return keys[key_id]

    opened = _envelope.open_envelope(
        unverified_checkpoint, type_=CHECKPOINT_TYPE, versions={CHECKPOINT_VERSION}, keys=lookup
    )
    content = opened.content
    if set(content) != {"seq", "entry_hash", "signed_at"}:
        raise MalformedInputError("checkpoint content has unexpected fields")
    seq = content["seq"]
    if type(seq) is not int or seq < FIRST_SEQ:
        raise MalformedInputError("checkpoint seq must be a positive integer")
    entry_hash = b64_decode(content["entry_hash"])
    if len(entry_hash) != len(GENESIS_HASH):
        raise MalformedInputError("checkpoint hash must be 32 bytes")
    return AuditCheckpoint(
        seq, entry_hash, parse_time(content["signed_at"]), opened.key_id, unverified_checkpoint
    )


# ------------------------------------------------------------------ verification


@dataclass(frozen=True)
class VerifiedChain:
    count: int
    last_seq: int  # FIRST_SEQ - 1 when empty
    last_hash: bytes
    checkpoints_verified: int


def verify_chain(
    read_entries: Callable[[], Iterable[AuditEntry]],
    unverified_checkpoints: Iterable[bytes],
    *,
    keys: Mapping[str, ec.EllipticCurvePublicKey],
) -> VerifiedChain:
    """Verify the whole chain from its first entry, or raise AuditChainBrokenError.

    ``read_entries`` returns the stored entries in stored order and is called twice: a
    first pass keeps only each entry's sequence number and hash (to tell a reordered
    entry from a deleted one), the second walks the chain. A long chain is streamed,
    never held in memory whole.
    """
    checkpoints: dict[int, list[AuditCheckpoint]] = {}
    for raw in unverified_checkpoints:
        checkpoint = verify_checkpoint(raw, keys=keys)
        checkpoints.setdefault(checkpoint.seq, []).append(checkpoint)
    present: set[int] = set()
    positions: dict[bytes, int] = {}
    for position, entry in enumerate(read_entries()):
        present.add(entry.seq)
        positions[entry.entry_hash] = position
    walk = _Walk(present, later_hashes=positions)
    count = 0
    for entry in read_entries():
        count += 1
        walk.step(entry)
        for checkpoint in checkpoints.get(entry.seq, []):
            walk.check_point(checkpoint)
    beyond = [seq for seq in checkpoints if seq >= walk.expected_seq]
    if beyond:
        _broken(walk.expected_seq, TamperKind.DELETED, f"checkpoint at {max(beyond)}")
    return VerifiedChain(
        count=count,
        last_seq=walk.expected_seq - 1,
        last_hash=walk.last_hash,
        checkpoints_verified=sum(len(found) for found in checkpoints.values()),
    )


class _Walk:
    def __init__(self, present: set[int], *, later_hashes: Mapping[bytes, int]) -> None:
        self.present = present
        # Where each stored hash sits, so that an entry linking to one that comes *later*
        # in stored order is recognised as reordered rather than blamed on its neighbour.
        self.positions = later_hashes
        self.position = -1
        self.seen: set[int] = set()
        self.expected_seq = FIRST_SEQ
        self.last_hash = GENESIS_HASH
        self.before_last_hash: bytes | None = None
        self.last_good_checkpoint = FIRST_SEQ - 1

    def step(self, entry: AuditEntry) -> None:
        self.position += 1
        expected = self.expected_seq
        if entry.seq != expected:
            if entry.seq in self.seen or entry.seq < FIRST_SEQ:
                _broken(entry.seq, TamperKind.INSERTED, "a sequence number appears twice")
            if entry.seq < expected:  # pragma: no cover - every lower seq was seen
                _broken(entry.seq, TamperKind.REORDERED, "out of order")
            if expected in self.present:
                _broken(expected, TamperKind.REORDERED, f"found {entry.seq} where {expected} goes")
            _broken(expected, TamperKind.DELETED, f"next entry found is {entry.seq}")
        if entry.prev_hash != self.last_hash:
            if self.before_last_hash is not None and entry.prev_hash == self.before_last_hash:
                _broken(expected - 1, TamperKind.INSERTED, "its successor links past it")
            if self.positions.get(entry.prev_hash, -1) > self.position:
                _broken(expected, TamperKind.REORDERED, "it links to an entry stored after it")
            if expected == FIRST_SEQ:
                _broken(expected, TamperKind.EDITED, "the first entry must link to genesis")
            _broken(expected - 1, TamperKind.EDITED, "its successor links to another hash")
        if chain_hash(entry.prev_hash, entry.canonical()) != entry.entry_hash:
            _broken(entry.seq, TamperKind.EDITED, "content does not match its hash")
        self.seen.add(entry.seq)
        self.before_last_hash = self.last_hash
        self.last_hash = entry.entry_hash
        self.expected_seq = expected + 1

    def check_point(self, checkpoint: AuditCheckpoint) -> None:
        if checkpoint.entry_hash != self.last_hash:
            _broken(
                self.last_good_checkpoint + 1,
                TamperKind.EDITED,
                f"rewritten somewhere up to the checkpoint at {checkpoint.seq}",
            )
        self.last_good_checkpoint = checkpoint.seq


def _broken(seq: int, kind: TamperKind, detail: str) -> NoReturn:
    raise AuditChainBrokenError(seq, kind.value, detail)
