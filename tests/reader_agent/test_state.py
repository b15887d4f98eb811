"""On-disk trust material and configuration: verified again at start-up, and the
numbers once held stay the floor, across restarts too."""

from __future__ import annotations

import base64
import json
import os
import stat
import uuid
from datetime import timedelta

import pytest

from crypto.errors import (
    BadSignatureError,
    RevocationListGapError,
    RevocationListRollbackError,
    TrustBundleRollbackError,
    UnknownIssuerError,
)
from crypto.signers import FileSigner
from reader_agent.state.config_store import ConfigStore
from reader_agent.state.errors import ConfigRefusedError, ConfigRollbackError, StateError
from reader_agent.state.files import write_atomically
from reader_agent.state.identity import create_key, load_key
from reader_agent.state.lock import DataDirLock
from reader_agent.state.trust_store import TrustStore


def _tamper(envelope: bytes, field: str, value: object) -> bytes:
    """The same signature over a body with one content field changed."""
    outer = json.loads(envelope)
    text = outer["body"]
    body = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    body["content"][field] = value
    outer["body"] = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return json.dumps(outer).encode()


def _store(tmp_path, pki) -> TrustStore:
    return TrustStore(tmp_path / "trust", roots=pki.roots)


def _held(tmp_path, pki, *crls: bytes) -> TrustStore:
    store = _store(tmp_path, pki)
    store.offer_bundle(pki.bundle(), now=pki.now)
    for crl in crls:
        store.offer_crl(crl, now=pki.now)
    return store


def test_restart_restores_bundle_complete_list_and_deltas(tmp_path, door_pki):
    card = door_pki.personalise()
    store = _held(
        tmp_path,
        door_pki,
        door_pki.crl(number=4),
        door_pki.delta([card.serial], number=5, base=4),
    )
    assert store.crl_numbers() == {door_pki.issuer_key_id: 5}
    again = _store(tmp_path, door_pki)
    again.restore(now=door_pki.now)
    assert again.bundle_sequence == 1
    assert again.crl_numbers() == {door_pki.issuer_key_id: 5}
    held = again.revocation_lists()[door_pki.issuer_key_id]
    assert held.lookup(card.serial) is not None  # the delta's entry came back too


def test_an_older_list_offered_after_a_newer_one_is_refused_even_after_a_restart(
    tmp_path, door_pki
):
    _held(tmp_path, door_pki, door_pki.crl(number=7))
    again = _store(tmp_path, door_pki)
    again.restore(now=door_pki.now)
    with pytest.raises(RevocationListRollbackError) as refused:
        again.offer_crl(door_pki.crl(number=6), now=door_pki.now)
    assert (refused.value.held, refused.value.presented) == (7, 6)


def test_the_floor_holds_when_the_held_list_cannot_be_restored(tmp_path, door_pki):
    _held(tmp_path, door_pki, door_pki.crl(number=7))
    later = door_pki.now + timedelta(days=3)  # the held list has gone stale meanwhile
    again = _store(tmp_path, door_pki)
    again.restore(now=later)
    assert again.crl_numbers() == {}  # nothing usable held: the door fails closed
    old = door_pki.crl(number=6, this_update=later - timedelta(minutes=1))
    with pytest.raises(RevocationListRollbackError):
        again.offer_crl(old, now=later)
    fresh = door_pki.crl(number=8, this_update=later - timedelta(minutes=1))
    assert again.offer_crl(fresh, now=later).number == 8


def test_an_older_trust_bundle_is_refused_after_a_restart(tmp_path, door_pki):
    store = _store(tmp_path, door_pki)
    store.offer_bundle(door_pki.bundle(sequence=3), now=door_pki.now)
    again = _store(tmp_path, door_pki)
    again.restore(now=door_pki.now)
    assert again.bundle_sequence == 3
    with pytest.raises(TrustBundleRollbackError):
        again.offer_bundle(door_pki.bundle(sequence=2), now=door_pki.now)


def test_a_delta_that_does_not_chain_is_a_gap(tmp_path, door_pki):
    store = _held(tmp_path, door_pki, door_pki.crl(number=2))
    with pytest.raises(RevocationListGapError):
        store.offer_crl(door_pki.delta([], number=9, base=5), now=door_pki.now)


def test_a_new_complete_list_replaces_the_deltas_on_disk(tmp_path, door_pki):
    store = _held(
        tmp_path,
        door_pki,
        door_pki.crl(number=1),
        door_pki.delta([], number=2, base=1),
        door_pki.delta([], number=3, base=1),
    )
    directory = tmp_path / "trust" / "crls" / door_pki.issuer_key_id
    assert sorted(p.name for p in directory.iterdir()) == [
        "complete.crl",
        "delta-000000000003.crl",  # a cumulative delta from the same base covers the last
    ]
    store.offer_crl(door_pki.crl(number=4), now=door_pki.now)
    assert sorted(p.name for p in directory.iterdir()) == ["complete.crl"]


def test_a_bundle_from_another_root_is_refused(tmp_path, door_pki):
    from tests.reader_agent.door_pki import DoorPki

    store = _store(tmp_path, door_pki)
    with pytest.raises(UnknownIssuerError):
        store.offer_bundle(DoorPki.create().bundle(), now=door_pki.now)
    assert store.verifier is None


def test_a_tampered_bundle_on_disk_is_not_restored(tmp_path, door_pki):
    _held(tmp_path, door_pki, door_pki.crl(number=1))
    path = tmp_path / "trust" / "bundle.json"
    path.write_bytes(_tamper(path.read_bytes(), "sequence", 9))
    again = _store(tmp_path, door_pki)
    again.restore(now=door_pki.now)
    assert again.verifier is None  # fails closed rather than trusting the disk


def test_files_are_private(tmp_path):
    path = tmp_path / "d" / "f"
    write_atomically(path, b"x")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not list(path.parent.glob(".f.*"))  # no temporary left behind


def test_configuration_round_trip_and_rollback(tmp_path, door_pki):
    holder = uuid.uuid4()
    store = ConfigStore(tmp_path, keys=door_pki.config_keys, reader_id=door_pki.reader_id)
    assert store.offer(door_pki.config({holder: "An"}, version=5)) is not None
    assert store.offer(door_pki.config({holder: "An"}, version=5)) is None  # the same
    with pytest.raises(ConfigRollbackError):
        store.offer(door_pki.config({holder: "An"}, version=4))
    again = ConfigStore(tmp_path, keys=door_pki.config_keys, reader_id=door_pki.reader_id)
    again.restore()
    assert again.version == 5
    assert again.policy is not None
    assert again.policy.holder_name(holder) == "An"


def test_a_configuration_for_another_reader_or_signer_is_refused(tmp_path, door_pki):
    store = ConfigStore(tmp_path, keys=door_pki.config_keys, reader_id=door_pki.reader_id)
    with pytest.raises(ConfigRefusedError):
        store.offer(door_pki.config({}, reader_id=uuid.uuid4()))
    with pytest.raises(UnknownIssuerError):
        store.offer(door_pki.config({}, signer=FileSigner.generate()))
    tampered = _tamper(door_pki.config({}), "max_crl_age_seconds", 10**9)
    with pytest.raises(BadSignatureError):
        store.offer(tampered)
    assert store.policy is None


def test_the_reader_key_must_stay_private(tmp_path):
    create_key(tmp_path)
    assert load_key(tmp_path) is not None
    os.chmod(tmp_path / "reader-key.pem", 0o644)
    with pytest.raises(StateError, match="chmod 600"):
        load_key(tmp_path)


def test_one_agent_per_data_directory(tmp_path):
    with DataDirLock(tmp_path), pytest.raises(StateError, match="another reader-agent"):
        DataDirLock(tmp_path).acquire()
    DataDirLock(tmp_path).acquire().release()  # free again


def test_a_bundle_that_no_longer_restores_can_be_fetched_again_but_not_an_older_one(
    tmp_path, door_pki
):
    store = _store(tmp_path, door_pki)
    store.offer_bundle(door_pki.bundle(sequence=4), now=door_pki.now)
    path = tmp_path / "trust" / "bundle.json"
    path.write_bytes(_tamper(path.read_bytes(), "sequence", 5))
    again = _store(tmp_path, door_pki)
    again.restore(now=door_pki.now)
    assert again.verifier is None
    with pytest.raises(TrustBundleRollbackError):
        again.offer_bundle(door_pki.bundle(sequence=3), now=door_pki.now)
    assert again.offer_bundle(door_pki.bundle(sequence=4), now=door_pki.now).sequence == 4
