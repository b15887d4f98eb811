"""The virtual PIV card's state file: a card can be carried from run to run."""

from __future__ import annotations

import json
import os
import stat
import uuid
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from reader_agent.errors import VirtualCardError
from reader_agent.piv import DEFAULT_MANAGEMENT_KEY, PinIncorrectError, PivClient, Slot
from reader_agent.piv.constants import ObjectId
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_direct import DirectConnection
from reader_agent.virtual.piv_state import PivCardState, StateFile


def _client(card: PivCard) -> PivClient:
    client = PivClient(DirectConnection(card))
    client.select()
    return client


def test_a_new_path_makes_a_blank_card_with_a_random_guid(tmp_path: Path) -> None:
    first = PivCard.open(tmp_path / "a.json")
    second = PivCard.open(tmp_path / "b.json")
    assert first.state.card_uuid != second.state.card_uuid
    assert _client(first).read_chuid().guid == first.state.card_uuid
    assert not first.state.keys
    assert ObjectId.CARD_AUTHENTICATION_CERTIFICATE not in first.state.objects
    assert (tmp_path / "a.json").exists()


def test_keys_objects_and_counters_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    client = _client(PivCard.open(path))
    public_key = client.generate_key(
        Slot.CARD_AUTHENTICATION, management_key=DEFAULT_MANAGEMENT_KEY
    )
    client.put_certificate(Slot.CARD_AUTHENTICATION, b"\x30\x03\x02\x01\x07")
    with pytest.raises(PinIncorrectError):
        client.verify_pin("999999")

    carried = _client(PivCard.open(path))  # a new process would do exactly this
    assert carried.read_certificate(Slot.CARD_AUTHENTICATION) == b"\x30\x03\x02\x01\x07"
    assert carried.pin_status().retries_left == 2
    challenge = os.urandom(32)
    public_key.verify(
        carried.authenticate(Slot.CARD_AUTHENTICATION, challenge),
        challenge,
        ec.ECDSA(utils.Prehashed(hashes.SHA256())),
    )


def test_the_state_file_is_owner_only_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    card = PivCard.open(path)
    _client(card).authenticate_management_key(DEFAULT_MANAGEMENT_KEY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_a_failed_save_keeps_the_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "card.json"
    store = StateFile(path)
    state = PivCardState.blank(card_uuid=uuid.uuid4(), today=date(2026, 11, 24))
    store.save(state)
    before = path.read_bytes()

    def fail(self: Path, target: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", fail)
    state.pin.retries_left = 1
    with pytest.raises(OSError, match="disk full"):
        store.save(state)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_json_round_trip_of_a_personalised_state() -> None:
    card = PivCard.blank()
    _client(card).generate_key(Slot.PIV_AUTHENTICATION, management_key=DEFAULT_MANAGEMENT_KEY)
    document = json.loads(json.dumps(card.state.to_json()))
    assert PivCardState.from_json(document) == card.state


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: d.pop("pin"),
        lambda d: d.update(format="something/else"),
        lambda d: d.update(card_uuid="not a uuid"),
        lambda d: d["management_key"].update(key="0102"),
        lambda d: d["management_key"].update(algorithm="ROT13"),
        lambda d: d["objects"].update({"5FC102": "zz"}),
        lambda d: d["pin"].update(retries_left="3"),
        lambda d: d.update(keys={"77": {"algorithm": "ECC_P256", "private_key_pkcs8": ""}}),
    ],
)
def test_a_damaged_state_is_refused_clearly(tmp_path: Path, mutation: object) -> None:
    document = PivCardState.blank(card_uuid=uuid.uuid4(), today=date(2026, 1, 1)).to_json()
    mutation(document)  # type: ignore[operator]
    path = tmp_path / "card.json"
    path.write_text(json.dumps(document))
    with pytest.raises(VirtualCardError):
        PivCard.open(path)


def test_a_state_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text("{ half")
    with pytest.raises(VirtualCardError, match="not JSON"):
        PivCard.open(path)
