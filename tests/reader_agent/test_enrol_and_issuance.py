"""Enrolment keeps the key and the service's answer (and refuses a service whose roots
differ from the provisioned ones); the issuance station personalises a blank card and
refuses a certificate for a key the card did not generate."""

from __future__ import annotations

import uuid

import pytest
from cryptography.hazmat.primitives import serialization

from crypto.card_certificates import parse_card_certificate
from reader_agent.client import ReaderTokenSigner, ServiceClient, ServiceRefusedError
from reader_agent.enrol import enrol
from reader_agent.issuance_station import IssuanceError, issue_card
from reader_agent.piv import DataObjectNotFoundError, PivClient, Slot
from reader_agent.settings import ReaderSettings
from reader_agent.state.errors import AlreadyEnrolledError, StateError
from reader_agent.state.identity import load_identity
from reader_agent.state.trust_store import TrustStore
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_direct import DirectConnection
from tests.reader_agent.door_pki import DoorPki
from tests.reader_agent.fake_service import FakeService
from tests.reader_agent.world import World


def _settings(tmp_path, mode="door", roots=()) -> ReaderSettings:
    return ReaderSettings.model_validate(
        {
            "service_url": "http://service",
            "data_dir": tmp_path / "data",
            "trust_roots": list(roots),
            "enrolment": {"site_unit_id": str(uuid.uuid4()), "mode": mode},
        }
    )


def _enrolled(tmp_path, service, mode="door", roots=()):
    settings = _settings(tmp_path, mode, roots)
    client = ServiceClient("http://service", transport=service.transport())
    return settings, enrol(settings, service.token, client=client, clock=lambda: service.pki.now)


def test_enrolment_keeps_the_identity_and_the_key(tmp_path, door_pki):
    service = FakeService(door_pki, clock=lambda: door_pki.now)
    settings, identity = _enrolled(tmp_path, service)
    assert identity.reader_id == door_pki.reader_id
    assert identity.roots[0] == door_pki.root.certificate
    assert set(identity.config_keys) == set(door_pki.config_keys)
    assert service.reader_key is not None
    public = identity.private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public == service.reader_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert load_identity(settings.data_dir).reader_id == identity.reader_id
    with pytest.raises(AlreadyEnrolledError):
        _enrolled(tmp_path, service)


def test_a_wrong_token_is_refused_and_nothing_is_enrolled(tmp_path, door_pki):
    service = FakeService(door_pki, clock=lambda: door_pki.now, token="x" * 20)
    settings = _settings(tmp_path)
    client = ServiceClient("http://service", transport=service.transport())
    with pytest.raises(ServiceRefusedError, match="enrolment_refused"):
        enrol(settings, "y" * 20, client=client)
    with pytest.raises(StateError):
        load_identity(settings.data_dir)


def test_provisioned_roots_must_be_the_services(tmp_path, door_pki):
    stranger = DoorPki.create()
    pem = tmp_path / "root.pem"
    pem.write_bytes(stranger.root.certificate.public_bytes(serialization.Encoding.PEM))
    service = FakeService(door_pki, clock=lambda: door_pki.now)
    with pytest.raises(StateError, match="provisioned trust roots"):
        _enrolled(tmp_path, service, roots=[pem])
    ours = tmp_path / "ours.pem"
    ours.write_bytes(door_pki.root.certificate.public_bytes(serialization.Encoding.PEM))
    _, identity = _enrolled(tmp_path / "2", service, roots=[ours])
    assert identity.roots == (door_pki.root.certificate,)


def _station(tmp_path, door_pki, *, certify_other_key=False):
    service = FakeService(door_pki, clock=lambda: door_pki.now, certify_other_key=certify_other_key)
    _, identity = _enrolled(tmp_path, service, mode="issuance")
    client = ServiceClient(
        "http://service",
        signer=ReaderTokenSigner(identity.reader_id, identity.private_key),
        transport=service.transport(),
    )
    trust = TrustStore(tmp_path / "trust", roots=identity.roots)
    trust.offer_bundle(door_pki.bundle(), now=door_pki.now)
    card_id, holder_id = uuid.uuid4(), uuid.uuid4()
    service.cards[card_id] = holder_id
    return service, client, trust, card_id, holder_id


def test_the_station_issues_a_blank_card_that_then_opens_the_door(tmp_path, door_pki):
    service, client, trust, card_id, holder_id = _station(tmp_path, door_pki)
    card = PivCard.blank()
    issued = issue_card(
        PivClient(DirectConnection(card)),
        client,
        card_id,
        now=lambda: door_pki.now,
        verifier=trust.verifier,
    )
    assert (issued.card_id, issued.state, issued.resumed) == (card_id, "active", False)
    assert card_id in service.active
    piv = PivClient(DirectConnection(card))
    piv.select()
    facts = parse_card_certificate(piv.read_certificate(Slot.CARD_AUTHENTICATION))
    assert (facts.card_id, facts.holder_id) == (card_id, holder_id)
    assert piv.read_chuid().guid == card_id
    world = World.build(tmp_path / "door", door_pki, holders={holder_id: "Lê Văn Cường"})
    assert world.tap(DirectConnection(card)).decision.granted


def test_a_certificate_for_another_key_is_never_written(tmp_path, door_pki):
    service, client, _, card_id, _ = _station(tmp_path, door_pki, certify_other_key=True)
    card = PivCard.blank()
    with pytest.raises(IssuanceError, match="another key"):
        issue_card(PivClient(DirectConnection(card)), client, card_id, now=lambda: door_pki.now)
    assert card_id not in service.active
    piv = PivClient(DirectConnection(card))
    piv.select()
    with pytest.raises(DataObjectNotFoundError):
        piv.read_certificate(Slot.CARD_AUTHENTICATION)


def test_a_token_that_begins_with_a_dash_is_taken_with_an_equals_sign(tmp_path, monkeypatch):
    from reader_agent import enrol_command
    from reader_agent.cli import build_parser

    args = build_parser().parse_args(["enrol", "--config", "r.toml", "--token=-abc_def"])
    assert args.token == "-abc_def"
    monkeypatch.setenv(enrol_command.TOKEN_ENVIRONMENT, "-from-the-environment")
    args = build_parser().parse_args(["enrol", "--config", "r.toml"])
    assert args.token is None  # run() then takes the environment's
