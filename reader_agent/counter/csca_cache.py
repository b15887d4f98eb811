"""The counter's CSCA trust store, from the service's signed CSCA list, kept on disk.

``<data_dir>/trust/csca.json`` holds the last accepted list exactly as signed (public
data); it is verified again at start-up with the configuration keys from enrolment.
A list older than the one held is refused. Without any list the store is empty and
every chip fails Passive Authentication: the desk fails closed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from crypto.documents import open_document
from crypto.emrtd import CscaTrustStore
from crypto.errors import MalformedInputError, VerificationError
from reader_agent.state.errors import StateError
from reader_agent.state.files import read_optional, write_atomically
from reader_protocol.counter import CSCA_LIST_KIND, CSCA_LIST_VERSION, CscaList

logger = logging.getLogger(__name__)

CSCA_FILE = "csca.json"


class CscaRollbackError(StateError):
    """The service offered an older CSCA list than the one held."""


def open_csca_list(
    unverified_document: bytes, *, keys: Mapping[str, ec.EllipticCurvePublicKey]
) -> CscaList:
    """Verify the signature and parse; raises VerificationError (or MalformedInputError)."""
    document = open_document(
        unverified_document, kind=CSCA_LIST_KIND, versions={CSCA_LIST_VERSION}, keys=keys
    )
    try:
        return CscaList.model_validate(document.content)
    except ValidationError as exc:
        raise MalformedInputError(f"signed CSCA list does not parse: {exc}") from exc


def build_store(listed: CscaList) -> CscaTrustStore:
    """The trust store from a verified list; an entry the store refuses is skipped."""
    store = CscaTrustStore()
    for entry in listed.cscas:
        try:
            store.add_certificate(entry.certificate)
        except VerificationError as exc:
            logger.warning("skipping a CSCA certificate the store refuses: %s", exc)
    for crl in listed.crls:
        try:
            store.add_crl(crl)
        except VerificationError as exc:
            logger.warning("skipping a CSCA CRL the store refuses: %s", exc)
    return store


class CscaCache:
    """The CSCA store in force; ``sequence`` is -1 until a list is held."""

    def __init__(self, trust_dir: Path, *, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> None:
        self._path = trust_dir / CSCA_FILE
        self._keys = dict(keys)
        self.store = CscaTrustStore()
        self.sequence = -1

    def restore(self) -> None:
        data = read_optional(self._path)
        if data is None:
            return
        try:
            listed = open_csca_list(data, keys=self._keys)
        except VerificationError as exc:
            logger.error(  # noqa: TRY400 - the refusal says why; a traceback adds nothing
                "held CSCA list no longer verifies (%s); no CSCA trusted until the service "
                "sends one",
                exc,
            )
            return
        self._use(listed)

    def offer(self, unverified_document: bytes) -> bool:
        """Use a newer list and keep it; False when it is the one held."""
        listed = open_csca_list(unverified_document, keys=self._keys)
        if listed.sequence < self.sequence:
            raise CscaRollbackError(
                f"CSCA list {listed.sequence} is older than the one held ({self.sequence})"
            )
        if listed.sequence == self.sequence:
            return False
        store = build_store(listed)  # before anything is replaced
        write_atomically(self._path, unverified_document)
        self.store, self.sequence = store, listed.sequence
        logger.info("CSCA list %d accepted: %d CSCA(s)", listed.sequence, len(store.certificates))
        return True

    def _use(self, listed: CscaList) -> None:
        self.store, self.sequence = build_store(listed), listed.sequence
        logger.info(
            "restored CSCA list %d: %d CSCA(s)", listed.sequence, len(self.store.certificates)
        )
