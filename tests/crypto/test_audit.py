"""The audit chain: canonical entries, hashes, signed checkpoints, and naming the first
entry that was edited, deleted, inserted or reordered."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.audit import (
    GENESIS_HASH,
    AuditEntry,
    append_entry,
    canonical_entry,
    chain_hash,
    sign_checkpoint,
    verify_chain,
    verify_checkpoint,
)
from crypto.errors import AuditChainBrokenError, BadSignatureError, UnknownIssuerError
from crypto.signers import FileSigner

T0 = datetime(2025, 6, 1, 1, 2, 3, 456789, tzinfo=UTC)
SIGNER = FileSigner.generate()
KEYS = {SIGNER.key_id: SIGNER.public_key}


def chain(count: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for n in range(count):
        entries.append(
            append_entry(
                entries[-1] if entries else None,
                occurred_at=T0 + timedelta(seconds=n),
                actor="admin:nguyen.van.a",
                action="card.revoke" if n % 2 else "card.issue",
                object_type="card",
                object_id=UUID(int=n + 1),
                data={"reason": "mất thẻ", "n": n},
            )
        )
    return entries


def rehash_from(entries: list[AuditEntry], start: int) -> list[AuditEntry]:
    """What a careful forger does: recompute hashes from ``start`` on."""
    out = list(entries[:start])
    for entry in entries[start:]:
        prev = out[-1].entry_hash if out else GENESIS_HASH
        canonical = entry.canonical()
        out.append(
            dataclasses.replace(entry, prev_hash=prev, entry_hash=chain_hash(prev, canonical))
        )
    return out


def broken(entries, checkpoints=()) -> AuditChainBrokenError:
    with pytest.raises(AuditChainBrokenError) as caught:
        verify_chain(lambda: entries, checkpoints, keys=KEYS)
    return caught.value


def test_known_answer_canonical_form_and_hash():
    canonical = canonical_entry(
        seq=1,
        occurred_at=T0,
        actor="admin",
        action="card.issue",
        object_type="card",
        object_id=UUID("12345678-1234-5678-1234-567812345678"),
        data={"b": [1, True, None], "a": "Huế", "raw": b"\x00\xff"},
    )
    assert (
        canonical
        == (
            '{"action":"card.issue","actor":"admin","data":{"a":"Huế","b":[1,true,null],'
            '"raw":"AP8="},"object_id":"12345678-1234-5678-1234-567812345678",'
            '"object_type":"card","occurred_at":"2025-06-01T01:02:03.456789Z","seq":1}'
        ).encode()
    )
    assert chain_hash(GENESIS_HASH, canonical) == hashlib.sha256(bytes(32) + canonical).digest()


def test_floats_have_no_canonical_form():
    with pytest.raises(TypeError):
        canonical_entry(
            seq=1, occurred_at=T0, actor="a", action="b", object_type="c", object_id=None,
            data={"x": 1.5},
        )  # fmt: skip


def test_an_intact_chain_verifies_with_its_checkpoints():
    entries = chain(10)
    checkpoints = [sign_checkpoint(entries[i], SIGNER, now=T0).envelope for i in (3, 9)]
    result = verify_chain(lambda: entries, checkpoints, keys=KEYS)
    assert (result.count, result.last_seq, result.checkpoints_verified) == (10, 10, 2)
    assert result.last_hash == entries[-1].entry_hash
    assert verify_chain(list, [], keys=KEYS).last_seq == 0


def test_edited_content():
    entries = chain(6)
    entries[3] = dataclasses.replace(entries[3], data={"reason": "khác"})
    error = broken(entries)
    assert (error.seq, error.kind) == (4, "edited")


def test_edited_and_rehashed_is_caught_by_the_successor():
    entries = chain(6)
    entries[2] = dataclasses.replace(entries[2], actor="mallory")
    entries = rehash_from(entries, 2)[:3] + entries[3:]
    error = broken(entries)
    assert (error.seq, error.kind) == (3, "edited")


def test_deleted_leaves_a_gap():
    entries = chain(6)
    del entries[2]
    error = broken(entries)
    assert (error.seq, error.kind) == (3, "deleted")


def test_the_first_entry_deleted():
    error = broken(chain(3)[1:])
    assert (error.seq, error.kind) == (1, "deleted")


def test_inserted_with_a_duplicate_seq():
    entries = chain(6)
    forged = dataclasses.replace(entries[2], actor="mallory")
    forged = dataclasses.replace(
        forged, entry_hash=chain_hash(forged.prev_hash, forged.canonical())
    )
    entries.insert(2, forged)
    error = broken(entries)
    assert (error.seq, error.kind) == (3, "inserted")


def test_inserted_and_renumbered():
    entries = chain(6)
    forged = append_entry(
        entries[1], occurred_at=T0, actor="mallory", action="x", object_type="card",
        object_id=None, data={},
    )  # fmt: skip
    renumbered = [
        dataclasses.replace(entry, seq=entry.seq + 1) for entry in entries[2:]
    ]  # the forger renumbers but cannot fix the old links without rewriting everything
    tampered = [*entries[:2], forged, *rehash_from_keep_prev(renumbered)]
    error = broken(tampered)
    assert (error.seq, error.kind) == (3, "inserted")


def rehash_from_keep_prev(entries):
    return [
        dataclasses.replace(e, entry_hash=chain_hash(e.prev_hash, e.canonical())) for e in entries
    ]


def test_reordered():
    entries = chain(6)
    entries[2], entries[3] = entries[3], entries[2]
    error = broken(entries)
    assert (error.seq, error.kind) == (3, "reordered")


def test_a_consistent_rewrite_is_caught_by_a_checkpoint():
    entries = chain(10)
    checkpoints = [sign_checkpoint(entries[i], SIGNER, now=T0).envelope for i in (2, 7)]
    entries[5] = dataclasses.replace(entries[5], action="card.resume")
    rewritten = rehash_from(entries, 5)
    error = broken(rewritten, checkpoints)
    assert (error.seq, error.kind) == (4, "edited")  # first entry after the last good checkpoint


def test_truncation_is_caught_by_a_checkpoint():
    entries = chain(10)
    checkpoint = sign_checkpoint(entries[9], SIGNER, now=T0).envelope
    error = broken(entries[:7], [checkpoint])
    assert (error.seq, error.kind) == (8, "deleted")


def test_checkpoints_are_signed_and_versioned():
    entries = chain(3)
    checkpoint = sign_checkpoint(entries[2], SIGNER, now=T0)
    verified = verify_checkpoint(checkpoint.envelope, keys=KEYS)
    assert (verified.seq, verified.entry_hash, verified.key_id) == (
        3,
        entries[2].entry_hash,
        SIGNER.key_id,
    )
    assert verified.signed_at == T0
    with pytest.raises(UnknownIssuerError):
        verify_checkpoint(checkpoint.envelope, keys={})
    other = FileSigner.generate()
    with pytest.raises(BadSignatureError):
        verify_checkpoint(checkpoint.envelope, keys={SIGNER.key_id: other.public_key})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@given(
    data=st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    actor=st.text(),
    object_id=st.none() | st.uuids(),
    micro=st.integers(min_value=0, max_value=999_999),
)
def test_canonical_form_is_stable_across_a_json_round_trip(data, actor, object_id, micro):
    """What the service stores (JSON, strings for UUIDs and times) hashes the same."""
    import json

    occurred_at = T0.replace(microsecond=micro)
    first = canonical_entry(
        seq=7, occurred_at=occurred_at, actor=actor, action="a", object_type="t",
        object_id=object_id, data=data,
    )  # fmt: skip
    stored = json.loads(json.dumps(data))
    again = canonical_entry(
        seq=7, occurred_at=occurred_at, actor=actor, action="a", object_type="t",
        object_id=object_id, data=stored,
    )  # fmt: skip
    assert first == again
    assert json.loads(first)["data"] == stored


@given(
    seq=st.integers(min_value=1, max_value=2**62),
    entry_hash=st.binary(min_size=32, max_size=32),
    micro=st.integers(min_value=0, max_value=10**6 - 1),
)
def test_checkpoint_round_trip(seq, entry_hash, micro):
    entry = dataclasses.replace(chain(1)[0], seq=seq, entry_hash=entry_hash)
    signed_at = T0.replace(microsecond=micro)
    checkpoint = sign_checkpoint(entry, SIGNER, now=signed_at)
    verified = verify_checkpoint(checkpoint.envelope, keys=KEYS)
    assert (verified.seq, verified.entry_hash, verified.signed_at) == (seq, entry_hash, signed_at)
