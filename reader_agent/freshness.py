"""Is this reader failing closed, and why? (Pure; reported in every heartbeat.)

A door refuses everyone when it holds no trust bundle or no configuration, and
refuses an issuer's cards when it holds no revocation list for that issuer or the one
it holds is older than the door's maximum age (the signed configuration's, or a
stricter local one). The emergency-open list is not implemented: a door always
fails closed (docs/reader-agent.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crypto.tap import TapVerifier
from crypto.trust import IssuerStatus
from reader_protocol.config import ReaderConfig


@dataclass(frozen=True)
class TrustHealth:
    failing_closed: bool
    problems: tuple[str, ...] = ()


def max_crl_age(config: ReaderConfig | None, local: timedelta | None) -> timedelta:
    """The door's maximum revocation-list age: the stricter of service and local."""
    configured = timedelta(0) if config is None else timedelta(seconds=config.max_crl_age_seconds)
    return configured if local is None else min(configured, local)


def assess(
    *,
    verifier: TapVerifier | None,
    config: ReaderConfig | None,
    local_max_crl_age: timedelta | None,
    now: datetime,
) -> TrustHealth:
    problems: list[str] = []
    if verifier is None:
        problems.append("no trust bundle")
    if config is None:
        problems.append("no configuration")
    if verifier is not None:
        limit = max_crl_age(config, local_max_crl_age)
        for key_id, issuer in verifier.trust.issuers.items():
            if issuer.status is IssuerStatus.COMPROMISED:
                continue  # its cards are refused anyway
            held = verifier.revocation_list(key_id)
            if held is None:
                problems.append(f"no revocation list for issuer {key_id}")
            elif now - held.this_update > limit:
                problems.append(f"revocation list {held.number} of issuer {key_id} is too old")
    return TrustHealth(bool(problems), tuple(problems))
