"""The pure decision: every refusal has its code, ids only for genuine certificates,
and nothing unexpected ever grants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crypto import errors as e
from crypto.card_certificates import parse_card_certificate
from crypto.revocation import RevocationReason
from crypto.tap import VerifiedTap
from reader_agent.decision import decide, reason_for
from reader_agent.errors import CardCommunicationError, ReaderNotConfiguredError
from reader_agent.piv import ApplicationNotFoundError, DataObjectNotFoundError
from reader_agent.state.config_store import open_config
from reader_protocol.policy import CompiledPolicy
from tests.reader_agent.door_pki import DoorPki

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
T = datetime(2026, 1, 1, tzinfo=UTC)

CASES = [
    (e.ChallengeExpiredError(T, NOW), "challenge_expired"),
    (e.ChallengeMismatchError("x"), "signature_invalid"),
    (e.UnknownIssuerError("ab"), "issuer_unknown"),
    (e.IssuerRetiredError("ab", T, NOW), "issuer_distrusted"),
    (e.IssuerCompromisedError("ab", T, NOW), "issuer_distrusted"),
    (e.CertificateExpiredError(T, NOW), "card_expired"),
    (e.CertificateNotYetValidError(T, NOW), "card_not_yet_valid"),
    (e.RevokedError(1, int(RevocationReason.KEY_COMPROMISE), T), "card_revoked"),
    (e.RevokedError(1, int(RevocationReason.CERTIFICATE_HOLD), T), "card_suspended"),
    (e.StaleRevocationListError(T, timedelta(hours=1), NOW), "revocation_list_stale"),
    (e.MissingRevocationListError("ab"), "revocation_list_missing"),
    (e.BadSignatureError("x"), "certificate_invalid"),
    (e.MalformedInputError("x"), "certificate_invalid"),
    (e.ProfileViolationError("eku", "missing"), "certificate_invalid"),
    (e.VerificationError("some future check"), "certificate_invalid"),
    (ApplicationNotFoundError(0x6A82), "card_unknown"),
    (DataObjectNotFoundError(0x6A82), "card_unknown"),
    (CardCommunicationError("gone"), "card_unreadable"),
    (ReaderNotConfiguredError("x"), "reader_not_configured"),
    (ValueError("a bug"), "reader_error"),
    (KeyError("a bug"), "reader_error"),
]


@pytest.mark.parametrize(("error", "reason"), CASES, ids=[r for _, r in CASES])
def test_every_refusal_has_its_code_and_denies(error, reason):
    assert reason_for(error) == reason
    decision = decide(
        outcome=error, unverified_facts=None, policy=None, max_crl_age=timedelta(days=1), now=NOW
    )
    assert (decision.granted, decision.reason) == (False, reason)


@pytest.fixture(scope="module")
def setting(door_pki: DoorPki):
    card = door_pki.personalise()
    facts = parse_card_certificate(card.certificate)
    config = open_config(
        door_pki.config({facts.holder_id: "Trần Thị Bình"}),
        keys=door_pki.config_keys,
        reader_id=door_pki.reader_id,
    )
    return facts, CompiledPolicy(config)


def _verified(facts, this_update=NOW - timedelta(minutes=5)) -> VerifiedTap:
    return VerifiedTap(facts, facts.issuer_key_id, 1, this_update, NOW)


def test_a_verified_allowed_card_is_granted(setting):
    facts, policy = setting
    decision = decide(
        outcome=_verified(facts),
        unverified_facts=None,
        policy=policy,
        max_crl_age=timedelta(hours=1),
        now=NOW,
    )
    assert (decision.granted, decision.reason) == (True, "ok")
    assert (decision.card_id, decision.holder_id) == (facts.card_id, facts.holder_id)
    assert decision.holder_name == "Trần Thị Bình"


def test_a_list_older_than_the_maximum_age_denies_even_a_verified_card(setting):
    facts, policy = setting
    decision = decide(
        outcome=_verified(facts, this_update=NOW - timedelta(hours=2)),
        unverified_facts=None,
        policy=policy,
        max_crl_age=timedelta(hours=1),
        now=NOW,
    )
    assert (decision.granted, decision.reason) == (False, "revocation_list_stale")


def test_without_policy_nobody_passes(setting):
    facts, _ = setting
    decision = decide(
        outcome=_verified(facts),
        unverified_facts=None,
        policy=None,
        max_crl_age=timedelta(days=9),
        now=NOW,
    )
    assert (decision.granted, decision.reason) == (False, "reader_not_configured")


def test_someone_else_is_refused_by_the_policy(setting, door_pki):
    _, policy = setting
    other = parse_card_certificate(door_pki.personalise().certificate)
    decision = decide(
        outcome=_verified(other),
        unverified_facts=None,
        policy=policy,
        max_crl_age=timedelta(days=1),
        now=NOW,
    )
    assert (decision.granted, decision.reason) == (False, "holder_not_allowed_here")


@pytest.mark.parametrize(
    ("error", "named"),
    [
        (e.RevokedError(1, 1, T), True),
        (e.CertificateExpiredError(T, NOW), True),
        (e.ChallengeMismatchError("clone"), True),
        (e.BadSignatureError("forged"), False),
        (e.UnknownIssuerError("ab"), False),
        (e.MalformedInputError("x"), False),
        (CardCommunicationError("x"), False),
    ],
)
def test_refusals_name_the_card_only_when_its_certificate_was_genuine(setting, error, named):
    facts, policy = setting
    decision = decide(
        outcome=error,
        unverified_facts=facts,
        policy=policy,
        max_crl_age=timedelta(days=1),
        now=NOW,
    )
    assert not decision.granted
    assert (decision.card_id == facts.card_id) is named
    assert decision.holder_name is None  # a refused card never shows whose it is
