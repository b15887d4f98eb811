"""The trust bundle and every issuer's revocation list, on disk and in a TapVerifier.

Layout under ``<data_dir>/trust/``::

    bundle.json                      the last accepted trust bundle (signed bytes)
    crls/<issuer key id>/complete.crl  the last accepted complete CRL (DER)
    crls/<issuer key id>/delta-<n>.crl deltas accepted on top of it, in number order
    floors.json                      the highest bundle sequence and CRL numbers held

At start-up ``restore`` verifies all of it again, in order, with the root
certificates from enrolment; whatever no longer verifies (a list gone stale while
the reader was off) is left out, so the door fails closed for that issuer. The
floors survive regardless: nothing older than what was once held is accepted again,
even when the held copy itself could not be restored.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from crypto.errors import MalformedInputError, RevocationListRollbackError, VerificationError
from crypto.keys import parse_key_id
from crypto.revocation import RevocationList
from crypto.tap import TapPolicy, TapVerifier
from crypto.trust import TrustBundle, verify_trust_bundle
from reader_agent.state.errors import StateError
from reader_agent.state.files import ensure_directory, read_optional, remove, write_atomically

logger = logging.getLogger(__name__)

BUNDLE_FILE = "bundle.json"
FLOORS_FILE = "floors.json"
COMPLETE_FILE = "complete.crl"
DELTA_PREFIX = "delta-"


@dataclass
class Floors:
    """The newest numbers ever accepted: the floor for anything offered later."""

    bundle_sequence: int = 0
    crl_numbers: dict[str, int] = field(default_factory=dict)

    def raise_crl(self, issuer_key_id: str, number: int) -> None:
        self.crl_numbers[issuer_key_id] = max(number, self.crl_numbers.get(issuer_key_id, 0))

    def to_json(self) -> bytes:
        content = {"bundle_sequence": self.bundle_sequence, "crl_numbers": self.crl_numbers}
        return json.dumps(content, sort_keys=True, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Floors:
        try:
            content = json.loads(data)
            numbers = {str(k): int(v) for k, v in dict(content["crl_numbers"]).items()}
            return cls(int(content["bundle_sequence"]), numbers)
        except (ValueError, KeyError, TypeError) as exc:
            raise StateError(f"the trust floors file is damaged: {exc}") from exc


@dataclass(frozen=True)
class UnverifiedCrlHeader:
    """Where an offered CRL claims to come from; only used to file and compare it."""

    issuer_key_id: str
    number: int
    base_number: int | None


def read_crl_header(unverified_crl: bytes) -> UnverifiedCrlHeader:
    try:
        crl = x509.load_der_x509_crl(unverified_crl)
        aki = crl.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value
        number = crl.extensions.get_extension_for_oid(ExtensionOID.CRL_NUMBER).value
        try:
            delta = crl.extensions.get_extension_for_oid(ExtensionOID.DELTA_CRL_INDICATOR).value
        except x509.ExtensionNotFound:
            delta = None
    except (ValueError, x509.ExtensionNotFound) as exc:
        raise MalformedInputError(f"not a CRL of ours: {exc}") from exc
    if not isinstance(aki, x509.AuthorityKeyIdentifier) or aki.key_identifier is None:
        raise MalformedInputError("CRL without an issuer key id")
    if not isinstance(number, x509.CRLNumber):
        raise MalformedInputError("CRL without a number")
    base = delta.crl_number if isinstance(delta, x509.DeltaCRLIndicator) else None
    return UnverifiedCrlHeader(aki.key_identifier.hex(), number.crl_number, base)


class TrustStore:
    """Trust material for taps. ``verifier`` is None until a trust bundle is held.

    Offers come from one thread at a time (the sync follower; ``lock`` is there for
    callers that need it); taps only read ``verifier``, which crypto keeps consistent.
    """

    def __init__(
        self,
        directory: Path,
        *,
        roots: Sequence[x509.Certificate],
        policy: TapPolicy | None = None,
    ) -> None:
        self._directory = directory
        self._roots = tuple(roots)
        self._policy = policy
        self._floors = Floors()
        self.verifier: TapVerifier | None = None
        self.lock = threading.Lock()

    # ------------------------------------------------------------ reading

    @property
    def bundle_sequence(self) -> int:
        verifier = self.verifier
        return 0 if verifier is None else verifier.trust.sequence

    @property
    def floors(self) -> Floors:
        return Floors(self._floors.bundle_sequence, dict(self._floors.crl_numbers))

    def crl_numbers(self) -> dict[str, int]:
        """Numbers of the lists held now (issuer key id -> CRL number)."""
        verifier = self.verifier
        if verifier is None:
            return {}
        return {key: held.number for key, held in verifier.revocation_lists.items()}

    def revocation_lists(self) -> Mapping[str, RevocationList]:
        verifier = self.verifier
        return {} if verifier is None else verifier.revocation_lists

    # ------------------------------------------------------------ start-up

    def restore(self, *, now: datetime) -> None:
        """Load and verify again what was held before the last stop."""
        floors_data = read_optional(self._directory / FLOORS_FILE)
        if floors_data is not None:
            self._floors = Floors.from_json(floors_data)
        bundle_data = read_optional(self._directory / BUNDLE_FILE)
        if bundle_data is None:
            return
        try:
            bundle = verify_trust_bundle(bundle_data, roots=self._roots, now=now)
        except VerificationError as exc:
            logger.error("held trust bundle no longer verifies (%s)", exc)  # noqa: TRY400 - the refusal says why; a traceback adds nothing
            return
        if bundle.sequence < self._floors.bundle_sequence:
            logger.error(
                "held trust bundle %d is older than the floor %d; failing closed",
                bundle.sequence,
                self._floors.bundle_sequence,
            )
            return
        self.verifier = TapVerifier(bundle, policy=self._policy)
        self._floors.bundle_sequence = bundle.sequence
        for issuer_key_id in bundle.issuers:
            self._restore_lists(self.verifier, issuer_key_id, now=now)

    def _restore_lists(self, verifier: TapVerifier, issuer_key_id: str, *, now: datetime) -> None:
        directory = self._crl_directory(issuer_key_id)
        complete = read_optional(directory / COMPLETE_FILE)
        if complete is None:
            return
        try:
            held = verifier.accept_revocation_list(complete, now=now)
            for path in sorted(directory.glob(f"{DELTA_PREFIX}*.crl")):
                delta = read_optional(path)
                if delta is not None:
                    held = verifier.accept_revocation_list(delta, now=now)
        except VerificationError as exc:
            logger.error(  # noqa: TRY400 - the refusal says why; a traceback adds nothing
                "held revocation list of issuer %s no longer verifies (%s); "
                "its cards are refused until a current one arrives",
                issuer_key_id,
                exc,
            )
            return
        self._floors.raise_crl(issuer_key_id, held.number)
        logger.info("restored revocation list %d of issuer %s", held.number, issuer_key_id)

    # ------------------------------------------------------------ offers

    def offer_bundle(self, unverified_bundle: bytes, *, now: datetime) -> TrustBundle:
        """Verify a trust bundle newer than any held, start using it and keep it.
        Raises a VerificationError (TrustBundleRollbackError for an older one)."""
        floor = self._floors.bundle_sequence
        # Holding none (the held one no longer verified), the floor's own sequence may
        # come again; anything older may not.
        held = floor if self.verifier is not None else max(0, floor - 1)
        bundle = verify_trust_bundle(
            unverified_bundle, roots=self._roots, now=now, held_sequence=held
        )
        if self.verifier is None:
            self.verifier = TapVerifier(bundle, policy=self._policy)
        else:
            self.verifier.replace_trust(bundle)
        write_atomically(self._directory / BUNDLE_FILE, bundle.envelope)
        self._floors.bundle_sequence = bundle.sequence
        self._save_floors()
        logger.info("trust bundle %d accepted", bundle.sequence)
        return bundle

    def offer_crl(self, unverified_crl: bytes, *, now: datetime) -> RevocationList:
        """Verify a complete or delta CRL, start using it and keep it. Raises a
        VerificationError: rollback (older than held, or than the floor), gap, stale..."""
        verifier = self.verifier
        if verifier is None:
            raise StateError("no trust bundle is held yet; a revocation list cannot be checked")
        header = read_crl_header(unverified_crl)
        floor = self._floors.crl_numbers.get(header.issuer_key_id)
        if floor is not None and header.number < floor:
            raise RevocationListRollbackError(floor, header.number)
        revocation = verifier.accept_revocation_list(unverified_crl, now=now)
        self._keep(revocation, unverified_crl, header)
        logger.info(
            "revocation list %d of issuer %s accepted (%s)",
            revocation.number,
            revocation.issuer_key_id,
            "complete" if header.base_number is None else f"delta on {header.base_number}",
        )
        return revocation

    def _keep(
        self, revocation: RevocationList, verified_crl: bytes, header: UnverifiedCrlHeader
    ) -> None:
        # The issuer key id comes from the trust bundle (40 hex digits), never from
        # the network, so it is safe as a directory name.
        directory = ensure_directory(self._crl_directory(revocation.issuer_key_id))
        deltas = sorted(directory.glob(f"{DELTA_PREFIX}*.crl"))
        if header.base_number is None:
            write_atomically(directory / COMPLETE_FILE, verified_crl)
            for path in deltas:
                remove(path)
        else:
            # A delta based at or below the held complete list covers every earlier
            # delta (deltas list all changes since their base): keep only it.
            if header.base_number <= revocation.base_number:
                for path in deltas:
                    remove(path)
            write_atomically(
                directory / f"{DELTA_PREFIX}{revocation.number:012d}.crl", verified_crl
            )
        self._floors.raise_crl(revocation.issuer_key_id, revocation.number)
        self._save_floors()

    def _save_floors(self) -> None:
        write_atomically(self._directory / FLOORS_FILE, self._floors.to_json())

    def _crl_directory(self, issuer_key_id: str) -> Path:
        parse_key_id(issuer_key_id)  # 40 lower-case hex digits, or MalformedInputError
        return self._directory / "crls" / issuer_key_id
