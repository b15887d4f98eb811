"""The whole read against the virtual chip, in process: access, files, CA, AA, verdict."""

from __future__ import annotations

import pytest

from reader_agent.emrtd.document import AccessProtocol, ChipAuthenticationStatus
from reader_agent.emrtd.errors import (
    AccessControlError,
    PasswordBlockedError,
    UnsupportedProtocolError,
)
from reader_agent.emrtd.files import Ef
from reader_agent.emrtd.keys.access import CanKey, MrzKey
from reader_agent.emrtd.session import ReadOptions, read_document
from reader_agent.emrtd.verdict import CheckStatus, verify_document
from reader_agent.virtual.id_card_data import placeholder_jpeg
from reader_agent.virtual.id_card_state import load_chip
from tests.reader_agent.emrtd.conftest import NOW, ChipConnection


def mrz_key(citizen):
    return MrzKey(
        citizen.document_number,
        citizen.date_of_birth.strftime("%y%m%d"),
        citizen.date_of_expiry.strftime("%y%m%d"),
    )


def test_read_with_the_can_and_every_check_passes(card_state, citizen, trust_store):
    document = read_document(ChipConnection(load_chip(card_state)), CanKey(citizen.can))
    assert document.access is AccessProtocol.PACE_CAN
    assert sorted(document.unverified_data_groups) == [1, 2, 13, 14, 15]
    assert document.chip_authentication.status is ChipAuthenticationStatus.PASSED
    verdict = verify_document(document, trust_store, now=NOW)
    assert verdict.accepted, verdict.reasons
    assert verdict.check("clone_detection").status is CheckStatus.PASSED
    assert verdict.check("active_authentication").status is CheckStatus.PASSED
    assert verdict.check("revocation").status is CheckStatus.WARNING  # no CRL loaded
    assert document.vietnam_details() == citizen.details()
    mrz = document.mrz()
    assert mrz is not None
    assert mrz.issuing_state == "VNM"
    (face,) = document.faces()
    assert face.mime_type == "image/jpeg"
    assert face.unverified_data == placeholder_jpeg()


def test_repr_never_shows_personal_data(card_state, citizen):
    document = read_document(ChipConnection(load_chip(card_state)), CanKey(citizen.can))
    shown = repr(document) + repr(document.vietnam_details()) + repr(document.mrz())
    shown += repr(document.faces()) + repr(CanKey(citizen.can)) + repr(mrz_key(citizen))
    for secret in (citizen.id_number, citizen.full_name, citizen.can, citizen.document_number):
        assert secret not in shown


def test_read_with_the_mrz_uses_pace(card_state, citizen, trust_store):
    document = read_document(ChipConnection(load_chip(card_state)), mrz_key(citizen))
    assert document.access is AccessProtocol.PACE_MRZ
    assert verify_document(document, trust_store, now=NOW).accepted


def test_bac_is_the_fallback_when_the_chip_offers_no_pace(card_state, citizen, trust_store):
    chip = load_chip(card_state)
    del chip.config.files[Ef.CARD_ACCESS]
    chip.config.pace = None
    document = read_document(ChipConnection(chip), mrz_key(citizen))
    assert document.access is AccessProtocol.BAC
    assert verify_document(document, trust_store, now=NOW).accepted


def test_a_can_cannot_fall_back_to_bac(card_state, citizen):
    chip = load_chip(card_state)
    del chip.config.files[Ef.CARD_ACCESS]
    with pytest.raises(UnsupportedProtocolError):
        read_document(ChipConnection(chip), CanKey(citizen.can))


def test_extended_length_reads_give_the_same_document(card_state, citizen, trust_store):
    short = ChipConnection(load_chip(card_state))
    extended = ChipConnection(load_chip(card_state))
    a = read_document(short, CanKey(citizen.can))
    b = read_document(extended, CanKey(citizen.can), options=ReadOptions(extended_length=True))
    assert a.unverified_data_groups == b.unverified_data_groups
    assert extended.commands < short.commands


def test_a_wrong_can_is_refused_and_the_retry_counter_is_respected(card_state, citizen):
    chip = load_chip(card_state)
    wrong = CanKey(f"{(int(citizen.can) + 5) % 10**6:06d}")
    lefts = []
    for _ in range(2):
        with pytest.raises(AccessControlError) as raised:
            read_document(ChipConnection(chip), wrong)
        lefts.append(raised.value.retries_left)
    assert lefts == [2, 1]
    with pytest.raises(PasswordBlockedError):
        read_document(ChipConnection(chip), wrong)
    # Blocked means blocked: even the right CAN is now refused before any attempt.
    with pytest.raises(PasswordBlockedError):
        read_document(ChipConnection(chip), CanKey(citizen.can))


def test_a_correct_can_resets_the_counter(card_state, citizen):
    chip = load_chip(card_state)
    with pytest.raises(AccessControlError):
        read_document(ChipConnection(chip), CanKey(f"{(int(citizen.can) + 1) % 10**6:06d}"))
    read_document(ChipConnection(chip), CanKey(citizen.can))
    pace = chip.config.pace
    assert pace is not None
    assert pace.counter.remaining == pace.counter.maximum


def test_a_chip_whose_can_differs_from_the_printed_one(card_state, citizen):
    chip = load_chip(card_state, misbehave="wrong-can")
    with pytest.raises(AccessControlError, match="CAN"):
        read_document(ChipConnection(chip), CanKey(citizen.can))


@pytest.mark.parametrize(
    ("misbehave", "check", "reason"),
    [
        ("tampered-dg", "passive_authentication", "data_group_hash_mismatch: DG13"),
        ("unknown-csca", "passive_authentication", "document_signer_untrusted"),
        ("cloned", "clone_detection", "the chip failed CA or AA"),
    ],
)
def test_misbehaving_cards_are_refused_with_a_clear_reason(
    card_state, citizen, trust_store, misbehave, check, reason
):
    chip = load_chip(card_state, misbehave=misbehave)
    document = read_document(ChipConnection(chip), CanKey(citizen.can))
    verdict = verify_document(document, trust_store, now=NOW)
    assert not verdict.accepted
    assert verdict.check(check).status is CheckStatus.FAILED
    assert reason in verdict.check(check).reason
    if misbehave == "cloned":
        assert verdict.check("chip_authentication").status is CheckStatus.FAILED
        assert verdict.check("active_authentication").status is CheckStatus.FAILED
        assert verdict.check("passive_authentication").status is CheckStatus.PASSED


def test_an_expired_document_is_refused(card_state, citizen, trust_store):
    document = read_document(ChipConnection(load_chip(card_state)), CanKey(citizen.can))
    later = NOW.replace(year=citizen.date_of_expiry.year + 1)
    verdict = verify_document(document, trust_store, now=later)
    assert verdict.check("expiry").status is CheckStatus.FAILED


def test_without_ca_and_aa_a_document_is_refused_unless_configured(
    card_state, citizen, trust_store
):
    options = ReadOptions(chip_authentication=False, active_authentication=False)
    document = read_document(
        ChipConnection(load_chip(card_state)), CanKey(citizen.can), options=options
    )
    assert not verify_document(document, trust_store, now=NOW).accepted
    relaxed = verify_document(
        document, trust_store, now=NOW, accept_documents_without_clone_detection=True
    )
    assert relaxed.accepted
    assert relaxed.check("clone_detection").status is CheckStatus.WARNING
