"""The issuance station: personalise a blank PIV card together with the service
(reader_protocol.issuance describes the exchange).

1. ``begin``: the service answers a one-time nonce (and the certificate already issued,
   when an interrupted issuance is resumed).
2. The station authenticates with the card's management key, has the card generate a
   P-256 key in slot 9E (the private key never leaves the card), and has the card sign
   the nonce with it: proof of possession for the certificate request.
3. The certificate that comes back is checked before it is written: it must certify
   exactly the key the card generated, for the card asked for, and (when the station
   holds trust material) verify under a trusted issuer. Certificate and CHUID are written.
4. Activation: the card signs a second nonce with the written key; only then does the
   service make the card active.

A resumed issuance whose certificate is already on the card goes straight to step 4;
otherwise the card gets a new key (the service revokes the unfinished certificate).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from crypto.card_certificates import CardCertificateFacts, parse_card_certificate
from crypto.errors import MissingRevocationListError, StaleRevocationListError
from crypto.keys import public_key_der
from crypto.tap import TapVerifier
from reader_agent.client.service import ServiceClient
from reader_agent.errors import ReaderAgentError
from reader_agent.piv import (
    DEFAULT_MANAGEMENT_KEY,
    Chuid,
    DataObjectNotFoundError,
    ManagementKey,
    PivClient,
    Slot,
)
from reader_protocol import issuance as wire

logger = logging.getLogger(__name__)


class IssuanceError(ReaderAgentError):
    """The station stopped an issuance (the service's answer could not be trusted)."""


@dataclass(frozen=True)
class IssuedCard:
    card_id: uuid.UUID
    holder_name: str
    card_serial: str
    state: str
    certificate_serial: int
    resumed: bool


def issue_card(
    piv: PivClient,
    service: ServiceClient,
    card_id: uuid.UUID,
    *,
    now: Callable[[], datetime],
    management_key: ManagementKey = DEFAULT_MANAGEMENT_KEY,
    verifier: TapVerifier | None = None,
    say: Callable[[str], None] = lambda _line: None,
) -> IssuedCard:
    started = service.issuance_begin(card_id)
    say(f"issuing card {started.card_serial} for {started.holder_name}")
    piv.select()
    resumed = started.certificate is not None and _holds(piv, started.certificate)
    if resumed:
        say("the card already holds its certificate: proving activation only")
        facts = parse_card_certificate(_require(started.certificate))
    else:
        facts = _personalise(
            piv,
            service,
            started,
            management_key=management_key,
            verifier=verifier,
            now=now,
            say=say,
        )
    challenge = service.issuance_activation_challenge(started.session_id)
    signature = piv.authenticate(Slot.CARD_AUTHENTICATION, challenge.nonce)
    finished = service.issuance_activate(
        started.session_id, wire.ActivationRequest(signature=signature)
    )
    say(f"card {started.card_serial} is {finished.state}")
    return IssuedCard(
        card_id=finished.card_id,
        holder_name=started.holder_name,
        card_serial=started.card_serial,
        state=finished.state,
        certificate_serial=facts.serial,
        resumed=resumed,
    )


def _personalise(
    piv: PivClient,
    service: ServiceClient,
    started: wire.IssuanceStarted,
    *,
    management_key: ManagementKey,
    verifier: TapVerifier | None,
    now: Callable[[], datetime],
    say: Callable[[str], None],
) -> CardCertificateFacts:
    piv.authenticate_management_key(management_key)
    public_key = piv.generate_key(Slot.CARD_AUTHENTICATION)
    say("key generated on the card")
    proof = piv.authenticate(Slot.CARD_AUTHENTICATION, started.nonce)
    issued = service.issuance_certificate(
        started.session_id,
        wire.CertificateRequest(public_key=public_key_der(public_key), signature=proof),
    )
    unverified_certificate = issued.certificate
    facts = parse_card_certificate(unverified_certificate)
    if public_key_der(facts.public_key) != public_key_der(public_key):
        raise IssuanceError("the service certified another key than the card's")
    if facts.card_id != started.card_id or issued.chuid_guid != started.card_id:
        raise IssuanceError("the certificate names another card")
    if verifier is not None:
        # A certificate issued a moment ago cannot be on any list yet: the station
        # checks its issuer and form, whatever revocation lists it holds.
        with contextlib.suppress(MissingRevocationListError, StaleRevocationListError):
            verifier.verify_certificate(unverified_certificate, now=now())
    # Writing needs the management key again: signing may have reset the session.
    piv.put_certificate(
        Slot.CARD_AUTHENTICATION, unverified_certificate, management_key=management_key
    )
    piv.put_chuid(
        Chuid(guid=issued.chuid_guid, expiration=facts.not_after.date()),
        management_key=management_key,
    )
    say("certificate and CHUID written")
    return facts


def _holds(piv: PivClient, certificate: bytes) -> bool:
    try:
        return piv.read_certificate(Slot.CARD_AUTHENTICATION) == certificate
    except DataObjectNotFoundError:
        return False


def _require(value: bytes | None) -> bytes:
    if value is None:  # pragma: no cover - checked by the caller
        raise IssuanceError("no certificate to resume with")
    return value
