"""When a revocation list was signed, by issuer and number: the age of the list a
reader says it holds."""

from __future__ import annotations

import pytest

from card_service.pki.authorities import current_issuing_ca
from card_service.pki.errors import CrlNotFoundError
from card_service.pki.revocations import crl_this_update, crl_this_updates, publish_complete


def test_each_published_list_keeps_its_this_update(session, pki, clock):
    ca = current_issuing_ca(session, pki)
    first = clock.now
    later = clock.advance(hours=6)
    second = publish_complete(session, pki, ca, now=later)
    assert crl_this_update(session, ca.key_id, 1) == first
    assert crl_this_update(session, ca.key_id, second.number) == later
    assert crl_this_updates(session, [(ca.key_id, 1), (ca.key_id, second.number)]) == {
        (ca.key_id, 1): first,
        (ca.key_id, second.number): later,
    }


def test_an_unknown_list_is_not_found_and_left_out_of_a_batch(session, pki):
    ca = current_issuing_ca(session, pki)
    with pytest.raises(CrlNotFoundError):
        crl_this_update(session, ca.key_id, 999)
    with pytest.raises(CrlNotFoundError):
        crl_this_update(session, "no-such-issuer", 1)
    assert crl_this_updates(session, [(ca.key_id, 999), ("no-such-issuer", 1)]) == {}
    assert crl_this_updates(session, []) == {}
