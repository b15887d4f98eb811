"""The full eMRTD path through pcscd + vpcd + the virtual citizen ID card process.

PACE with the CAN and with the MRZ, Passive Authentication against a trust store loaded
from the test CSCA's signed master list, Chip and Active Authentication; and each
misbehaving card refused with its reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crypto.emrtd import CscaTrustStore, load_master_list
from reader_agent.emrtd.document import AccessProtocol, ChipAuthenticationStatus
from reader_agent.emrtd.errors import AccessControlError
from reader_agent.emrtd.keys.access import CanKey, MrzKey
from reader_agent.emrtd.session import read_document
from reader_agent.emrtd.verdict import CheckStatus, verify_document
from reader_agent.pcsc import PcscConnection
from reader_agent.virtual.id_card_state import initialise, load_citizen, load_trust_material
from reader_agent.virtual.launcher import virtual_id_card_process

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("pcscd")]


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cccd")
    initialise(directory, now=datetime.now(UTC), seed=46)
    return directory


@pytest.fixture(scope="module")
def trust_store(card):
    material = load_trust_material(card)
    master_list = load_master_list(
        material.master_list, anchors=[material.csca_certificate], now=datetime.now(UTC)
    )
    store = CscaTrustStore()
    store.add_master_list(master_list)
    return store


def mrz_key(citizen):
    return MrzKey(
        citizen.document_number,
        citizen.date_of_birth.strftime("%y%m%d"),
        citizen.date_of_expiry.strftime("%y%m%d"),
    )


def read(card_dir, key, *, misbehave=None):
    with (
        virtual_id_card_process(card_dir, misbehave=misbehave) as process,
        PcscConnection(process.reader_name) as connection,
    ):
        return read_document(connection, key)


def test_read_with_the_can_through_pcscd(card, trust_store):
    citizen = load_citizen(card)
    document = read(card, CanKey(citizen.can))
    assert document.access is AccessProtocol.PACE_CAN
    assert document.chip_authentication.status is ChipAuthenticationStatus.PASSED
    verdict = verify_document(document, trust_store, now=datetime.now(UTC))
    assert verdict.accepted, verdict.reasons
    for check in ("passive_authentication", "chip_authentication", "active_authentication"):
        assert verdict.check(check).status is CheckStatus.PASSED
    assert document.vietnam_details() == citizen.details()


def test_read_with_the_mrz_through_pcscd(card, trust_store):
    citizen = load_citizen(card)
    document = read(card, mrz_key(citizen))
    assert document.access is AccessProtocol.PACE_MRZ
    assert verify_document(document, trust_store, now=datetime.now(UTC)).accepted


def test_a_chip_with_another_can_is_refused(card):
    with pytest.raises(AccessControlError) as raised:
        read(card, CanKey(load_citizen(card).can), misbehave="wrong-can")
    assert raised.value.retries_left == 2


@pytest.mark.parametrize(
    ("misbehave", "check"),
    [
        ("tampered-dg", "passive_authentication"),
        ("unknown-csca", "passive_authentication"),
        ("cloned", "clone_detection"),
    ],
)
def test_misbehaving_cards_are_refused_through_pcscd(card, trust_store, misbehave, check):
    document = read(card, CanKey(load_citizen(card).can), misbehave=misbehave)
    verdict = verify_document(document, trust_store, now=datetime.now(UTC))
    assert not verdict.accepted
    assert verdict.check(check).status is CheckStatus.FAILED
