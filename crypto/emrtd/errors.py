"""Why Passive Authentication refused a document: one class per check, each a
``VerificationError`` so a caller that only needs "refuse" catches that base."""

from __future__ import annotations

from datetime import datetime

from crypto.errors import MalformedInputError, VerificationError


class PassiveAuthenticationError(VerificationError):
    """Base: the document's data cannot be trusted as issued."""

    reason = "passive_authentication_failed"


class SodFormatError(MalformedInputError, PassiveAuthenticationError):
    """EF.SOD (or a master list) is not the CMS structure ICAO 9303 gives it."""

    reason = "sod_malformed"


class SodSignatureError(PassiveAuthenticationError):
    """The Document Signer's signature over the LDS security object does not verify."""

    reason = "sod_signature_invalid"


class UntrustedDocumentSignerError(PassiveAuthenticationError):
    """The DS certificate does not chain to any CSCA in the trust store."""

    reason = "document_signer_untrusted"


class CertificateValidityError(PassiveAuthenticationError):
    """A certificate (DS or CSCA) was not valid at the time that matters."""

    reason = "certificate_not_valid"

    def __init__(self, which: str, at: datetime) -> None:
        super().__init__(f"the {which} certificate was not valid at {at.isoformat()}")
        self.which = which
        self.at = at


class RevokedCertificateError(PassiveAuthenticationError):
    """The CSCA's revocation list names the Document Signer certificate."""

    reason = "document_signer_revoked"


class DataGroupHashError(PassiveAuthenticationError):
    """A data group read from the chip does not match the hash the SOD signs."""

    reason = "data_group_hash_mismatch"

    def __init__(self, data_group: int, problem: str) -> None:
        super().__init__(f"DG{data_group}: {problem}")
        self.data_group = data_group


class IssuingStateMismatchError(PassiveAuthenticationError):
    """The document's issuing state, the DS's country and the CSCA's country disagree."""

    reason = "issuing_state_mismatch"


class MasterListError(VerificationError):
    """A CSCA master list was refused (bad signature, untrusted signer, malformed)."""

    reason = "master_list_refused"


class RevocationListError(VerificationError):
    """A CRL was refused: not signed by the CSCA it claims, or malformed."""

    reason = "crl_refused"
