"""Back-off delays, and when a reader says it is failing closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reader_agent.backoff import Backoff
from reader_agent.freshness import assess, max_crl_age
from reader_agent.state.config_store import open_config
from reader_agent.state.trust_store import TrustStore


def test_backoff_doubles_up_to_its_cap_and_resets():
    backoff = Backoff(initial=0.5, maximum=4.0, jitter=0.5, random=lambda: 0.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5
    jittered = Backoff(initial=1.0, maximum=1.0, jitter=0.5, random=lambda: 1.0)
    assert jittered.next_delay() == 0.5
    many = Backoff(initial=0.001, maximum=30.0)
    assert max(many.next_delay() for _ in range(5000)) <= 30.0  # never overflows


def test_backoff_refuses_nonsense():
    with pytest.raises(ValueError, match="back-off"):
        Backoff(initial=5, maximum=1)


def _config(pki, seconds):
    return open_config(
        pki.config({}, max_crl_age_seconds=seconds), keys=pki.config_keys, reader_id=pki.reader_id
    )


def test_a_reader_with_current_material_is_not_failing_closed(tmp_path, door_pki):
    trust = TrustStore(tmp_path, roots=door_pki.roots)
    trust.offer_bundle(door_pki.bundle(), now=door_pki.now)
    trust.offer_crl(door_pki.crl(), now=door_pki.now)
    config = _config(door_pki, 3600)
    health = assess(
        verifier=trust.verifier, config=config, local_max_crl_age=None, now=door_pki.now
    )
    assert not health.failing_closed
    later = door_pki.now + timedelta(hours=2)
    health = assess(verifier=trust.verifier, config=config, local_max_crl_age=None, now=later)
    assert health.failing_closed
    assert "too old" in health.problems[0]


def test_missing_pieces_fail_closed(tmp_path, door_pki):
    assert assess(
        verifier=None, config=None, local_max_crl_age=None, now=door_pki.now
    ).problems == (
        "no trust bundle",
        "no configuration",
    )
    trust = TrustStore(tmp_path, roots=door_pki.roots)
    trust.offer_bundle(door_pki.bundle(), now=door_pki.now)
    health = assess(
        verifier=trust.verifier,
        config=_config(door_pki, 60),
        local_max_crl_age=None,
        now=door_pki.now,
    )
    assert health.problems == (f"no revocation list for issuer {door_pki.issuer_key_id}",)


def test_the_stricter_maximum_age_wins(door_pki):
    config = _config(door_pki, 3600)
    assert max_crl_age(config, None) == timedelta(hours=1)
    assert max_crl_age(config, timedelta(minutes=1)) == timedelta(minutes=1)
    assert max_crl_age(config, timedelta(days=9)) == timedelta(hours=1)
    assert max_crl_age(None, timedelta(days=9)) == timedelta(0)
