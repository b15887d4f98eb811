"""CSCA master lists: verified before anything in them is trusted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crypto.emrtd import CscaTrustStore, load_master_list, passive_authentication
from crypto.emrtd.errors import MasterListError
from reader_agent.virtual.emrtd_issuer import build_master_list, make_csca, make_signer
from tests.crypto.emrtd.conftest import NOW


@pytest.fixture(scope="module")
def publisher(issuer):
    signer = make_signer(
        issuer.csca,
        country="VN",
        common_name="Master List Signer VN",
        not_before=NOW - timedelta(days=30),
        master_list_signer=True,
    )
    neighbour = make_csca(country="LA", common_name="CSCA LA", not_before=NOW - timedelta(days=5))
    certificates = [issuer.csca.certificate, neighbour.certificate]
    return signer, certificates, build_master_list(certificates, signer, signing_time=NOW)


def test_a_signed_master_list_loads_and_its_cscas_verify_documents(issuer, publisher):
    signer, certificates, der = publisher
    master_list = load_master_list(der, anchors=[issuer.csca.certificate], now=NOW)
    assert set(master_list.certificates) == set(certificates)
    assert master_list.signer == signer.certificate
    store = CscaTrustStore()
    assert store.add_master_list(master_list) == 2
    passive_authentication(issuer.sod, issuer.groups, store, now=NOW, issuing_state="VNM")


def test_a_master_list_with_a_broken_signature_is_refused(issuer, publisher):
    _, _, der = publisher
    broken = bytearray(der)
    broken[-3] ^= 0x40  # inside the signature value
    with pytest.raises(MasterListError):
        load_master_list(bytes(broken), anchors=[issuer.csca.certificate], now=NOW)


def test_a_master_list_whose_content_changed_is_refused(issuer, publisher):
    _, certificates, der = publisher
    serial = certificates[1].serial_number.to_bytes(
        (certificates[1].serial_number.bit_length() + 7) // 8, "big"
    )
    tampered = der.replace(serial, bytes(len(serial)), 1)
    with pytest.raises(MasterListError):
        load_master_list(tampered, anchors=[issuer.csca.certificate], now=NOW)


def test_a_master_list_signed_outside_the_anchors_is_refused(publisher):
    _, _, der = publisher
    stranger = make_csca(
        country="VN", common_name="CSCA VN test", not_before=NOW - timedelta(days=5)
    )
    with pytest.raises(MasterListError, match="chain"):
        load_master_list(der, anchors=[stranger.certificate], now=NOW)
    with pytest.raises(MasterListError):
        load_master_list(der, anchors=[], now=NOW)


def test_a_master_list_signer_expired_now_is_refused(issuer, publisher):
    _, _, der = publisher
    with pytest.raises(MasterListError, match="not valid"):
        load_master_list(der, anchors=[issuer.csca.certificate], now=NOW + timedelta(days=9000))


def test_garbage_is_not_a_master_list(issuer):
    with pytest.raises(MasterListError):
        load_master_list(b"\x30\x03\x02\x01\x00", anchors=[issuer.csca.certificate], now=NOW)
