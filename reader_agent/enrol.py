"""Enrolment: a one-time token from an administrator, a key pair made here, and the
service's answer kept as the reader's identity (docs/reader-agent.md).

1. The key is generated and saved (0600) before anything is sent, so a reader that
   crashes after the service accepted it still holds the key it registered.
2. ``POST /reader/enrol`` with the token, the site and mode it was set up for, and the
   public key. The answer names the reader, and gives the root certificates that sign
   trust bundles and the keys that sign its configuration.
3. With ``trust_roots`` in reader.toml (provisioned out of band), the service's roots
   must include them and only they are kept; otherwise the roots are taken from the
   enrolment answer (use HTTPS).
4. The first trust bundle, revocation lists and configuration are fetched at once, so
   the reader can decide offline from the first tap.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from crypto.keys import public_key_der
from reader_agent.agent import ReaderState
from reader_agent.client.errors import ServiceError
from reader_agent.client.service import ServiceClient
from reader_agent.client.tokens import ReaderTokenSigner
from reader_agent.settings import ReaderSettings, SettingsError
from reader_agent.state.errors import AlreadyEnrolledError, StateError
from reader_agent.state.identity import (
    ReaderIdentity,
    create_key,
    identity_from_enrolment,
    is_enrolled,
    load_identity,
    save_identity,
)
from reader_agent.state.lock import DataDirLock
from reader_agent.sync.follower import TrustFollower
from reader_agent.version import agent_version
from reader_protocol.enrolment import EnrolmentRequest, EnrolmentResponse

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def pinned_roots(settings: ReaderSettings) -> list[bytes]:
    """DER of the root certificates reader.toml names (empty: none pinned)."""
    roots: list[bytes] = []
    for path in settings.trust_roots:
        try:
            roots.extend(
                certificate.public_bytes(serialization.Encoding.DER)
                for certificate in x509.load_pem_x509_certificates(path.read_bytes())
            )
        except (OSError, ValueError) as exc:
            raise SettingsError(f"cannot read trust root {path}: {exc}") from exc
    return roots


def _keep_roots(response: EnrolmentResponse, pinned: list[bytes]) -> EnrolmentResponse:
    if not pinned:
        return response
    offered = set(response.root_certificates)
    missing = [der for der in pinned if der not in offered]
    if missing:
        raise StateError(
            "the service's root certificates do not include the provisioned trust roots; "
            "refusing to enrol against it"
        )
    return response.model_copy(update={"root_certificates": pinned})


def enrol(
    settings: ReaderSettings,
    token: str,
    *,
    client: ServiceClient | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> ReaderIdentity:
    """Enrol the reader in ``settings.data_dir``; returns its identity."""
    site = settings.enrolment.site_unit_id
    mode = settings.enrolment.mode
    if site is None or mode is None:
        raise SettingsError("reader.toml needs [enrolment] site_unit_id and mode to enrol")
    pinned = pinned_roots(settings)
    with DataDirLock(settings.data_dir):
        if is_enrolled(settings.data_dir):
            raise AlreadyEnrolledError(
                f"{settings.data_dir} already holds an enrolled reader; use a new data_dir"
            )
        key = create_key(settings.data_dir)
        own_client = client is None
        client = client or ServiceClient(
            settings.base_url, timeout=settings.sync.request_timeout_seconds
        )
        try:
            response = client.enrol(
                EnrolmentRequest(
                    token=token,
                    site_unit_id=site,
                    mode=mode,
                    public_key=public_key_der(key.public_key()),
                    agent_version=agent_version(),
                )
            )
        finally:
            if own_client:
                client.close()
        response = _keep_roots(response, pinned)
        stored = identity_from_enrolment(
            response, service_url=settings.base_url, enrolled_at=clock()
        )
        save_identity(settings.data_dir, stored)
        identity = load_identity(settings.data_dir)
    logger.info("enrolled as reader %s (%s)", identity.reader_id, identity.mode.value)
    return identity


def first_sync(
    settings: ReaderSettings,
    identity: ReaderIdentity,
    *,
    clock: Callable[[], datetime] = _utc_now,
) -> bool:
    """Fetch the trust bundle, revocation lists and configuration once; False (and a
    warning) if the service could not be reached: ``run`` will catch up later."""
    state = ReaderState.restore(settings, now=clock())
    client = ServiceClient(
        settings.base_url,
        signer=ReaderTokenSigner(identity.reader_id, identity.private_key, clock=clock),
        timeout=settings.sync.request_timeout_seconds,
    )
    try:
        follower = TrustFollower(
            client, state.trust, state.config, clock=clock, stop=threading.Event()
        )
        follower.catch_up(client.trust_state())
    except ServiceError as exc:
        logger.warning("first sync failed (%s); `reader-agent run` will retry", exc)
        return False
    finally:
        client.close()
    return state.trust.verifier is not None and state.config.config is not None
