"""What a read returns: the chip's files as bytes, unverified, plus the CA/AA evidence.

Parsed views are computed on demand from the raw bytes, so what Passive Authentication
hashes is exactly what was read. ``repr`` shows which files were read, never their
content (a face or an ID number must not reach a log through a stray repr).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from reader_agent.emrtd.lds.com import Com, parse_com
from reader_agent.emrtd.lds.dg1 import Mrz, parse_dg1
from reader_agent.emrtd.lds.dg2 import FaceImage, parse_dg2
from reader_agent.emrtd.lds.dg13 import VietnamDetails, parse_dg13
from reader_agent.emrtd.lds.dg14_15 import ActiveAuthenticationKey, parse_dg14, parse_dg15
from reader_agent.emrtd.security_infos import SecurityInfos


class AccessProtocol(enum.Enum):
    PACE_CAN = "PACE with CAN"
    PACE_MRZ = "PACE with MRZ"
    BAC = "BAC"


class ChipAuthenticationStatus(enum.Enum):
    PASSED = "passed"  # the chip answered correctly under keys only its DG14 key yields
    FAILED = "failed"  # it did not: a clone, or a chip that lost its key
    NOT_SUPPORTED = "not_supported"  # no DG14 / no CA key on this chip
    NOT_ATTEMPTED = "not_attempted"


@dataclass(frozen=True)
class ChipAuthenticationOutcome:
    status: ChipAuthenticationStatus
    protocol: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class ActiveAuthenticationEvidence:
    """The challenge we sent and the chip's answer; verified later against DG15."""

    challenge: bytes
    unverified_signature: bytes = field(repr=False)


@dataclass(frozen=True)
class UnverifiedDocument:
    access: AccessProtocol
    pace_protocol: str | None
    unverified_card_access: bytes | None = field(repr=False)
    unverified_com: bytes = field(repr=False)
    unverified_sod: bytes = field(repr=False)
    unverified_data_groups: dict[int, bytes] = field(repr=False)
    chip_authentication: ChipAuthenticationOutcome
    active_authentication: ActiveAuthenticationEvidence | None
    active_authentication_error: str | None = None

    def __repr__(self) -> str:
        groups = ",".join(str(n) for n in sorted(self.unverified_data_groups))
        return (
            f"UnverifiedDocument(access={self.access.value}, groups=[{groups}], "
            f"ca={self.chip_authentication.status.value})"
        )

    def com(self) -> Com:
        return parse_com(self.unverified_com)

    def mrz(self) -> Mrz | None:
        raw = self.unverified_data_groups.get(1)
        return parse_dg1(raw) if raw is not None else None

    def faces(self) -> list[FaceImage]:
        raw = self.unverified_data_groups.get(2)
        return parse_dg2(raw) if raw is not None else []

    def vietnam_details(self) -> VietnamDetails | None:
        raw = self.unverified_data_groups.get(13)
        return parse_dg13(raw) if raw is not None else None

    def security_infos(self) -> SecurityInfos | None:
        raw = self.unverified_data_groups.get(14)
        return parse_dg14(raw) if raw is not None else None

    def active_authentication_key(self) -> ActiveAuthenticationKey | None:
        raw = self.unverified_data_groups.get(15)
        return parse_dg15(raw) if raw is not None else None
