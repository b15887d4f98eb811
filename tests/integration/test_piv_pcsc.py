"""PIV through the real stack: pyscard + pcscd + vpcd + the virtual card process.

Issue a blank card over PC/SC, tap it with a fresh challenge, and carry it: stop
the card's process and start it again from its state file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from reader_agent.iso7816.redact import APDU_LOG_LEVEL
from reader_agent.pcsc import PcscConnection
from reader_agent.piv import PinIncorrectError, PivClient, Slot
from tests.reader_agent.piv.certificates import der
from tests.reader_agent.piv.personalise import IssuedCard, personalise, personalise_state_file
from tests.support.pcsc import virtual_card_process

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("pcscd")]

PREHASHED_P256 = ec.ECDSA(utils.Prehashed(hashes.SHA256()))


def _tap(reader_name: str, issued: IssuedCard, *, extended: bool = False) -> None:
    """What a door does: read the certificate, challenge the card, check the answer."""
    with PcscConnection(reader_name) as connection:
        client = PivClient(connection, extended_length=extended)
        client.select()
        unverified_der = client.read_certificate(Slot.CARD_AUTHENTICATION)
        assert unverified_der == der(issued.certificate)
        certificate = x509.load_der_x509_certificate(unverified_der)
        public_key = certificate.public_key()
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        challenge = os.urandom(32)
        unverified_signature = client.authenticate(Slot.CARD_AUTHENTICATION, challenge)
        public_key.verify(unverified_signature, challenge, PREHASHED_P256)
        assert client.read_chuid().guid == issued.card_id


def test_issue_over_pcsc_tap_and_carry_the_card(tmp_path: Path) -> None:
    state = tmp_path / "card.json"
    args = ["--kind", "piv", "--state", str(state)]
    with virtual_card_process(args) as card:
        with PcscConnection(card.reader_name) as connection:
            issued = personalise(connection)
        assert len(der(issued.certificate)) > 255  # PUT DATA chained, GET DATA in pieces
        _tap(card.reader_name, issued)
    with virtual_card_process(args) as card:  # the same card, carried to another run
        _tap(card.reader_name, issued)


def test_extended_length_apdus_through_pcscd(tmp_path: Path) -> None:
    state = tmp_path / "card.json"
    issued = personalise_state_file(state)
    with virtual_card_process(["--state", str(state)]) as card:
        _tap(card.reader_name, issued, extended=True)


def test_a_card_signing_with_another_key_is_caught(tmp_path: Path) -> None:
    state = tmp_path / "card.json"
    issued = personalise_state_file(state)
    args = ["--state", str(state), "--sign-with-other-key"]
    with virtual_card_process(args) as card, pytest.raises(InvalidSignature):
        _tap(card.reader_name, issued)


def test_pin_tries_are_remembered_across_runs(tmp_path: Path) -> None:
    state = tmp_path / "card.json"
    args = ["--state", str(state)]
    with virtual_card_process(args) as card, PcscConnection(card.reader_name) as connection:
        client = PivClient(connection)
        client.select()
        with pytest.raises(PinIncorrectError) as wrong:
            client.verify_pin("000000")
        assert wrong.value.retries_left == 2
    with virtual_card_process(args) as card, PcscConnection(card.reader_name) as connection:
        client = PivClient(connection)
        client.select()
        assert client.pin_status().retries_left == 2
        client.verify_pin("123456")
        assert client.pin_status().verified


def test_apdu_trace_masks_the_pin(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """At the APDU level (TRACE, 5) every command and answer is logged, but a PIN never."""
    args = ["--kind", "piv", "--state", str(tmp_path / "card.json")]
    with (
        caplog.at_level(APDU_LOG_LEVEL, logger="reader_agent.pcsc"),
        virtual_card_process(args) as card,
        PcscConnection(card.reader_name) as connection,
    ):
        client = PivClient(connection)
        client.select()
        client.verify_pin("123456")
    lines = [r.getMessage() for r in caplog.records if r.name == "reader_agent.pcsc"]
    assert any(line.startswith("> 00a40400") for line in lines)  # SELECT, in full
    assert "> 00200080 <9 bytes redacted>" in lines  # VERIFY: header only (Lc + 8 PIN bytes)
    assert not any(b"123456".hex() in line for line in lines)
