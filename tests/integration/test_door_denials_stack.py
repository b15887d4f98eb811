"""Who a door refuses, through the real stack: card-service on PostgreSQL, a
reader-agent process, pcscd, vpcd and virtual card processes; every denial is checked
in the door's outbox and in the service's event table.

- a genuine certificate (issued at a station) on a card that signs with another key;
- a card personalised by another PKI (an issuer the door does not trust);
- an expired card: the certificate is signed with the service's own issuing CA key,
  read from the service's key custody on disk as an operator could (the service
  issues only five-year certificates, and no clock is moved);
- an older genuine revocation list offered after a newer one: an HTTP proxy in front
  of the service answers the door's list requests with a list captured before a
  revocation; the door refuses it, says so in its log, and still denies the card.

Revoked and stale-list denials through the same stack: test_door_end_to_end.py,
test_door_offline.py. One service, station and door serve the whole module; the
station personalises every card first (it shares the door's vpcd slot, and a door
would tap the blank cards), and every holder may pass the door.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.card_certificates import CardCertificateProfile, issue_card_certificate
from crypto.issuers import CertificateAuthority
from reader_agent.demo.admin import AdminApi
from reader_agent.piv import DEFAULT_MANAGEMENT_KEY, PivClient, Slot
from reader_agent.state.trust_store import Floors
from reader_agent.virtual.launcher import exclusive_slot, inserted_card, vpcd_reader_name
from reader_agent.virtual.piv_card import PivCard
from reader_agent.virtual.piv_direct import DirectConnection
from reader_agent.virtual.vpcd import SLOT_PORTS
from tests.reader_agent.door_pki import DoorPki
from tests.reader_agent.stack import (
    HttpProxy,
    IssuanceStation,
    ReaderAgent,
    Service,
    VirtualStaffCard,
    running,
    wait_for,
)
from tests.support.databases import fresh_postgres_database

pytestmark = [
    pytest.mark.pcsc,
    pytest.mark.postgresql,
    pytest.mark.slow,
    pytest.mark.usefixtures("pcscd"),
]
PORT = SLOT_PORTS[1]
NO_DEBOUNCE = "[policy]\ndebounce_seconds = 0\n"


CARDS = ("copied", "expired", "revoked", "trigger")


@dataclass
class Site:
    service: Service
    admin: AdminApi
    directory: Path
    cards: dict[str, VirtualStaffCard]
    proxy: HttpProxy
    door: ReaderAgent

    def tap(self, state: Path, *card_options: str) -> dict[str, Any]:
        """Put the card on the door's reader until the door decided; its one decision."""
        before = len(self.door.decisions())
        with inserted_card(["--state", str(state), *card_options], port=PORT):
            wait_for(
                lambda: len(self.door.decisions()) > before, timeout=15, explain=self.door.explain
            )
        decisions = self.door.decisions()[before:]
        assert len(decisions) == 1, decisions  # one insertion, one decision
        return decisions[0]

    def stored(self, decision: dict[str, Any]) -> dict[str, Any]:
        """The service's copy of a decided tap, once the door has uploaded it."""
        assert self.door.reader_id is not None

        def find() -> dict[str, Any] | None:
            events = self.service.events(self.door.reader_id)  # type: ignore[arg-type]
            return next((e for e in events if str(e["id"]) == decision["id"]), None)

        event: dict[str, Any] = wait_for(find, timeout=20, explain=self.door.explain)
        return event

    def floors(self) -> Floors:
        return Floors.from_json(
            (self.door.directory / "data" / "trust" / "floors.json").read_bytes()
        )


@pytest.fixture(scope="module")
def site(postgres_admin, tmp_path_factory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("denials")
    with (
        exclusive_slot(PORT),
        fresh_postgres_database(postgres_admin) as url,
        running(Service(directory / "service", url)) as service,
        service.admin() as admin,
    ):
        unit = admin.unit_id("HUE-SNV-VP")
        station = IssuanceStation.enrol(service, admin, unit, directory / "station", PORT)
        cards = {name: station.issue(admin, unit, directory / f"{name}.json") for name in CARDS}
        ticket = admin.register_reader(
            "Cửa kiểm tra", site_unit_id=unit, location="Cổng", mode="door"
        )
        admin.allow_always(
            holder_ids=[card.holder_id for card in cards.values()],
            reader_ids=[ticket.reader_id],
            unit_id=unit,
        )
        proxy = HttpProxy(service.port)
        door = ReaderAgent(
            directory / "door", proxy.url, unit, "door", vpcd_reader_name(PORT), extra=NO_DEBOUNCE
        )
        door.enrol(ticket.enrolment_token)
        door.start()
        try:
            wait_for(
                lambda: "change feed connected" in door.log(), timeout=20, explain=door.explain
            )
            yield Site(service, admin, directory, cards, proxy, door)
        finally:
            door.stop()
            proxy.close()


def test_a_genuine_certificate_on_a_card_with_another_key(site):
    card = site.cards["copied"]
    genuine = site.tap(card.state)
    assert (genuine["decision"], genuine["reason"]) == ("granted", "ok"), site.door.log()
    copy = site.tap(card.state, "--sign-with-other-key")
    assert (copy["decision"], copy["reason"]) == ("denied", "signature_invalid")
    stored = site.stored(copy)
    # The certificate itself is genuine, so the card it names is recorded.
    assert (stored["decision"], stored["reason"], stored["card_id"]) == (
        "denied",
        "signature_invalid",
        card.card_id,
    )


def test_a_card_personalised_by_another_pki(site):
    state = site.directory / "foreign.json"
    DoorPki.create().personalise(state=state)
    decision = site.tap(state)
    assert (decision["decision"], decision["reason"]) == ("denied", "issuer_unknown")
    stored = site.stored(decision)
    # A foreign certificate's ids are only claims: nobody is named.
    assert (stored["reason"], stored["card_id"], stored["holder_id"]) == (
        "issuer_unknown",
        None,
        None,
    )


def test_an_expired_card(site):
    card = site.cards["expired"]
    ca = site.service.issuing_ca()
    # Valid for one second from the moment the issuing CA was created: long expired.
    not_after = _reissue_expired(card, ca, validity=timedelta(seconds=1))
    assert not_after < datetime.now(UTC)
    decision = site.tap(card.state)
    assert (decision["decision"], decision["reason"]) == ("denied", "card_expired")
    stored = site.stored(decision)
    assert (stored["reason"], stored["card_id"], stored["holder_id"]) == (
        "card_expired",
        card.card_id,
        card.holder_id,
    )


def test_an_older_list_offered_after_a_newer_one_is_refused(site):
    revoked, trigger = site.cards["revoked"], site.cards["trigger"]
    issuer = site.service.issuing_ca().key_id
    older = httpx2.get(f"{site.service.base_url}/api/v1/trust/crls/{issuer}.crl", timeout=10)
    older.raise_for_status()
    older_number = int(older.headers["X-CRL-Number"])

    # The card is revoked; the door fetches the newer list and denies it.
    site.admin.revoke_card(revoked.card_id)
    newer = wait_for(lambda: site.floors().crl_numbers.get(issuer, 0) > older_number, timeout=20)
    assert newer
    held = site.floors().crl_numbers[issuer]
    assert site.tap(revoked.state)["reason"] == "card_revoked"

    # The next list the door fetches is the older genuine one (it does not list the
    # card). A genuine change makes the door fetch: another card is revoked.
    site.proxy.replay_crl(older.content)
    try:
        site.admin.revoke_card(trigger.card_id)
        refusal = f"presented number {older_number} is not greater than held {held}"
        wait_for(lambda: refusal in site.door.log(), timeout=20, explain=site.door.explain)
        assert site.proxy.replayed >= 1
        assert site.floors().crl_numbers[issuer] == held  # nothing older was taken
        still = site.tap(revoked.state)
        assert (still["decision"], still["reason"]) == ("denied", "card_revoked")
        assert site.stored(still)["reason"] == "card_revoked"
    finally:
        site.proxy.stop_replay()
    # Once the genuine newer list gets through, the door takes it as usual.
    wait_for(lambda: site.floors().crl_numbers[issuer] > held, timeout=30)
    assert site.tap(trigger.state)["reason"] == "card_revoked"
    refused = [line for line in site.door.log().splitlines() if refusal in line]
    assert all("ERROR" in line and "refused" in line for line in refused), refused


def _reissue_expired(
    card: VirtualStaffCard, ca: CertificateAuthority, *, validity: timedelta
) -> datetime:
    """Replace the card's certificate with one for the same card, holder and on-card
    key, valid from the issuing CA's first moment for ``validity``; its notAfter."""
    piv = PivClient(DirectConnection(PivCard.open(card.state)))
    piv.select()
    issued = x509.load_der_x509_certificate(piv.read_certificate(Slot.CARD_AUTHENTICATION))
    (point,) = issued.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    card_key = issued.public_key()
    assert isinstance(card_key, ec.EllipticCurvePublicKey)
    certificate = issue_card_certificate(
        ca,
        card_id=card.card_id,
        holder_id=card.holder_id,
        card_public_key=card_key,
        now=ca.certificate.not_valid_before_utc,
        profile=CardCertificateProfile(crl_url=point.full_name[0].value),
        validity=validity,
    )
    piv.put_certificate(
        Slot.CARD_AUTHENTICATION, certificate, management_key=DEFAULT_MANAGEMENT_KEY
    )
    return x509.load_der_x509_certificate(certificate).not_valid_after_utc
