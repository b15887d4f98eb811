"""The verdict on a document read from a chip: a pure function of (document, trust
store, now) that runs every check and says why it accepts or refuses.

- passive_authentication: SOD signature, DS -> CSCA chain, CRL, every data group's hash,
  issuing state (``crypto.emrtd``);
- revocation: whether a current CRL from the CSCA was consulted (a warning if not);
- mrz: DG1's check digits;
- chip_authentication / active_authentication: the chip proved it holds the keys of
  DG14 / DG15 (both data groups are covered by Passive Authentication);
- clone_detection: at least one of CA and AA passed, and none failed;
- expiry: the MRZ's date of expiry has not passed (dates in Asia/Ho_Chi_Minh).

A document is accepted only when no check failed and clone detection passed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crypto.emrtd import CscaTrustStore, PassiveAuthenticationResult, passive_authentication
from crypto.emrtd.passive_auth import CrlStatus
from crypto.errors import VerificationError
from reader_agent.emrtd.active_auth import verify_active_authentication
from reader_agent.emrtd.document import ChipAuthenticationStatus, UnverifiedDocument
from reader_agent.emrtd.errors import ActiveAuthenticationError, EmrtdError
from reader_agent.emrtd.lds.dg1 import Mrz
from reader_agent.errors import MalformedResponseError

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class CheckStatus(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    NOT_PERFORMED = "not_performed"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    reason: str = ""


@dataclass(frozen=True)
class DocumentVerdict:
    accepted: bool
    checks: tuple[CheckResult, ...]
    passive_authentication: PassiveAuthenticationResult | None

    def check(self, name: str) -> CheckResult:
        return next(check for check in self.checks if check.name == name)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it was refused (empty when accepted)."""
        return tuple(
            f"{check.name}: {check.reason}"
            for check in self.checks
            if check.status is CheckStatus.FAILED
        )


def verify_document(
    document: UnverifiedDocument,
    trust_store: CscaTrustStore,
    *,
    now: datetime,
    accept_documents_without_clone_detection: bool = False,
) -> DocumentVerdict:
    mrz, mrz_check = _mrz(document)
    pa_check, pa_result, revocation = _passive(document, trust_store, now, mrz)
    ca_check = _chip_authentication(document)
    aa_check = _active_authentication(document)
    clone = _clone_detection(
        ca_check, aa_check, allow_none=accept_documents_without_clone_detection
    )
    checks = (pa_check, revocation, mrz_check, ca_check, aa_check, clone, _expiry(mrz, now))
    accepted = all(check.status is not CheckStatus.FAILED for check in checks)
    return DocumentVerdict(accepted, checks, pa_result)


def _mrz(document: UnverifiedDocument) -> tuple[Mrz | None, CheckResult]:
    try:
        mrz = document.mrz()
    except (EmrtdError, MalformedResponseError) as exc:
        return None, CheckResult("mrz", CheckStatus.FAILED, f"DG1 does not parse: {exc}")
    if mrz is None:
        return None, CheckResult("mrz", CheckStatus.FAILED, "DG1 was not read")
    if not mrz.check_digits_valid:
        return mrz, CheckResult("mrz", CheckStatus.FAILED, "MRZ check digits are wrong")
    return mrz, CheckResult("mrz", CheckStatus.PASSED)


def _passive(
    document: UnverifiedDocument, store: CscaTrustStore, now: datetime, mrz: Mrz | None
) -> tuple[CheckResult, PassiveAuthenticationResult | None, CheckResult]:
    try:
        result = passive_authentication(
            document.unverified_sod,
            document.unverified_data_groups,
            store,
            now=now,
            issuing_state=mrz.issuing_state if mrz is not None else None,
        )
    except VerificationError as exc:
        code = getattr(exc, "reason", "passive_authentication_failed")
        failed = CheckResult("passive_authentication", CheckStatus.FAILED, f"{code}: {exc}")
        return failed, None, CheckResult("revocation", CheckStatus.NOT_PERFORMED)
    if result.crl_status is CrlStatus.CHECKED:
        revocation = CheckResult("revocation", CheckStatus.PASSED)
    else:
        revocation = CheckResult(
            "revocation", CheckStatus.WARNING, f"CRL of the CSCA is {result.crl_status.value}"
        )
    return CheckResult("passive_authentication", CheckStatus.PASSED), result, revocation


def _chip_authentication(document: UnverifiedDocument) -> CheckResult:
    outcome = document.chip_authentication
    status = {
        ChipAuthenticationStatus.PASSED: CheckStatus.PASSED,
        ChipAuthenticationStatus.FAILED: CheckStatus.FAILED,
    }.get(outcome.status, CheckStatus.NOT_PERFORMED)
    return CheckResult("chip_authentication", status, outcome.detail or outcome.status.value)


def _active_authentication(document: UnverifiedDocument) -> CheckResult:
    if document.active_authentication_error is not None:
        return CheckResult(
            "active_authentication", CheckStatus.FAILED, document.active_authentication_error
        )
    evidence = document.active_authentication
    if evidence is None:
        return CheckResult("active_authentication", CheckStatus.NOT_PERFORMED)
    try:
        key = document.active_authentication_key()
        infos = document.security_infos()
        if key is None:
            raise ActiveAuthenticationError("DG15 was not read")
        algorithm = infos.active_authentication if infos is not None else None
        verify_active_authentication(
            key,
            evidence.challenge,
            evidence.unverified_signature,
            signature_algorithm=algorithm.signature_algorithm if algorithm else None,
        )
    except (EmrtdError, MalformedResponseError) as exc:
        return CheckResult("active_authentication", CheckStatus.FAILED, str(exc))
    return CheckResult("active_authentication", CheckStatus.PASSED)


def _clone_detection(ca: CheckResult, aa: CheckResult, *, allow_none: bool) -> CheckResult:
    statuses = (ca.status, aa.status)
    if CheckStatus.FAILED in statuses:
        return CheckResult("clone_detection", CheckStatus.FAILED, "the chip failed CA or AA")
    if CheckStatus.PASSED in statuses:
        return CheckResult("clone_detection", CheckStatus.PASSED)
    if allow_none:
        return CheckResult(
            "clone_detection", CheckStatus.WARNING, "accepted without CA or AA by configuration"
        )
    return CheckResult("clone_detection", CheckStatus.FAILED, "the chip offers neither CA nor AA")


def _expiry(mrz: Mrz | None, now: datetime) -> CheckResult:
    if mrz is None:
        return CheckResult("expiry", CheckStatus.NOT_PERFORMED)
    raw = mrz.date_of_expiry
    try:
        expires = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        return CheckResult("expiry", CheckStatus.FAILED, "the date of expiry is not a date")
    today = now.astimezone(LOCAL_ZONE).date()
    if expires < today:
        return CheckResult("expiry", CheckStatus.FAILED, f"expired on {expires.isoformat()}")
    return CheckResult("expiry", CheckStatus.PASSED)
