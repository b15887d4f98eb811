"""The read at the desk: what it holds (in memory, with a repr that shows nothing), and
the verdict summary it may send: booleans and stable codes only."""

from __future__ import annotations

import logging

from reader_agent.counter.reading import APDU_LOGGERS, read_citizen
from reader_agent.emrtd.keys.access import CanKey
from reader_agent.virtual.id_card_data import placeholder_jpeg
from reader_agent.virtual.id_card_state import load_chip
from reader_protocol.counter import ChipAuth, DocumentType, VerdictReason
from tests.reader_agent.counter.conftest import NOW
from tests.reader_agent.emrtd.conftest import ChipConnection


def test_an_honest_card_is_accepted_with_its_name_face_and_number(reads, citizen) -> None:
    read = reads[None]
    assert read.summary.accepted
    assert (read.summary.pa_ok, read.summary.chip_auth, read.summary.not_expired) == (
        True,
        ChipAuth.CA,
        True,
    )
    assert (read.document_type, read.issuing_state) == (DocumentType.CCCD, "VNM")
    assert read.unverified_name == citizen.full_name
    assert read.verified_number == citizen.id_number  # the 12-digit number, not the MRZ's 9
    assert read.unverified_face.unverified_data == placeholder_jpeg()
    shown = repr(read)
    for secret in (citizen.id_number, citizen.full_name, citizen.id_number[-9:]):
        assert secret not in shown


def test_refusals_name_their_stable_reasons(reads) -> None:
    expected = {
        "tampered-dg": ([VerdictReason.DATA_GROUP_HASH_MISMATCH], False, ChipAuth.CA),
        "unknown-csca": ([VerdictReason.DOCUMENT_SIGNER_UNTRUSTED], False, ChipAuth.CA),
        "cloned": (
            [VerdictReason.CHIP_AUTHENTICATION_FAILED, VerdictReason.ACTIVE_AUTHENTICATION_FAILED],
            True,
            ChipAuth.FAILED,
        ),
    }
    for misbehave, (reasons, pa_ok, chip_auth) in expected.items():
        summary = reads[misbehave].summary
        assert not summary.accepted, misbehave
        assert (summary.reasons, summary.pa_ok, summary.chip_auth) == (reasons, pa_ok, chip_auth)
        assert reads[misbehave].verified_number is None  # a claim is never sent


def test_an_expired_card_is_refused_as_expired(card_dir, citizen, csca_store) -> None:
    later = NOW.replace(year=citizen.date_of_expiry.year + 1)
    connection = ChipConnection(load_chip(card_dir))
    read = read_citizen(connection, CanKey(citizen.can), csca_store, now=later)
    assert VerdictReason.EXPIRED in read.summary.reasons
    assert not read.summary.not_expired


def test_no_apdu_is_logged_during_a_read_at_any_level(
    card_dir, citizen, csca_store, caplog
) -> None:
    caplog.set_level(1)
    connection = ChipConnection(load_chip(card_dir))
    read_citizen(connection, CanKey(citizen.can), csca_store, now=NOW)
    assert [r for r in caplog.records if r.name in APDU_LOGGERS] == []
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert citizen.id_number not in everything
    assert citizen.can not in everything
    # Outside a citizen read the APDU loggers work as before (the filter is per read).
    logging.getLogger(APDU_LOGGERS[1]).log(5, "SM > probe")
    assert any(r.getMessage() == "SM > probe" for r in caplog.records)
