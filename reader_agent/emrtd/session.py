"""The whole read of an eMRTD over one connection.

EF.CardAccess (by short EF id, no SELECT MF) -> PACE with the CAN or MRZ (BAC with the
MRZ when the chip offers no PACE) -> SELECT the eMRTD application -> EF.COM, the data
groups asked for (those EF.COM lists), EF.SOD -> Active Authentication (DG15) -> Chip
Authentication (DG14), proved by re-reading EF.COM's first bytes under the new keys.

Nothing is verified here beyond what secure messaging guarantees; ``verdict`` does the
rest. Data group contents are never logged.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader_agent.connection import Connection
from reader_agent.emrtd.active_auth import request_signature
from reader_agent.emrtd.bac import perform_bac
from reader_agent.emrtd.chip_auth import (
    ChipAuthenticationPlan,
    perform_chip_authentication,
    plan,
)
from reader_agent.emrtd.document import (
    AccessProtocol,
    ActiveAuthenticationEvidence,
    ChipAuthenticationOutcome,
    ChipAuthenticationStatus,
    UnverifiedDocument,
)
from reader_agent.emrtd.errors import (
    ActiveAuthenticationError,
    ChipAuthenticationError,
    EmrtdError,
    LdsFormatError,
    UnsupportedProtocolError,
)
from reader_agent.emrtd.files import (
    Ef,
    data_group_fid,
    read_card_access,
    read_file,
    select_application,
    select_file,
)
from reader_agent.emrtd.groups import STANDARD_PARAMETER_IDS
from reader_agent.emrtd.keys.access import AccessKey, CanKey, MrzKey
from reader_agent.emrtd.lds.com import parse_com
from reader_agent.emrtd.lds.dg14_15 import parse_dg14
from reader_agent.emrtd.pace import perform_pace
from reader_agent.emrtd.secure_messaging import SecureChannel
from reader_agent.emrtd.security_infos import PaceInfo, parse_security_infos
from reader_agent.errors import CardCommunicationError
from reader_agent.iso7816.apdu import CommandApdu
from reader_agent.iso7816.transport import exchange

logger = logging.getLogger(__name__)

DEFAULT_DATA_GROUPS = (1, 2, 13, 14, 15)
SUPPORTED_MAPPINGS = ("ECDH-GM", "DH-GM", "ECDH-IM", "DH-IM")
_CA_PROOF_LENGTH = 4


@dataclass(frozen=True)
class ReadOptions:
    """What to read and which anti-cloning checks to run."""

    data_groups: Sequence[int] = DEFAULT_DATA_GROUPS
    chip_authentication: bool = True
    active_authentication: bool = True
    extended_length: bool = False


def read_document(
    connection: Connection,
    key: AccessKey,
    *,
    options: ReadOptions | None = None,
    random: Callable[[int], bytes] = os.urandom,
) -> UnverifiedDocument:
    """Run the whole read; raise AccessControlError, EmrtdError or CardCommunicationError."""
    options = options or ReadOptions()
    card_access = read_card_access(connection)
    channel, access, protocol = _open(connection, key, card_access, options, random)
    com = read_file(channel, Ef.COM, extended_length=options.extended_length)
    listed = set(parse_com(com).data_groups)
    groups: dict[int, bytes] = {}
    wanted = set(options.data_groups) | ({14} if options.chip_authentication else set())
    for number in sorted(wanted & listed):
        groups[number] = read_file(
            channel, data_group_fid(number), extended_length=options.extended_length
        )
    sod = read_file(channel, Ef.SOD, extended_length=options.extended_length)
    aa, aa_error = _active_authentication(channel, groups, options, random)
    ca = _chip_authentication(channel, groups, com, options)
    return UnverifiedDocument(
        access=access,
        pace_protocol=protocol,
        unverified_card_access=card_access,
        unverified_com=com,
        unverified_sod=sod,
        unverified_data_groups=groups,
        chip_authentication=ca,
        active_authentication=aa,
        active_authentication_error=aa_error,
    )


def _open(
    connection: Connection,
    key: AccessKey,
    card_access: bytes | None,
    options: ReadOptions,
    random: Callable[[int], bytes],
) -> tuple[SecureChannel, AccessProtocol, str | None]:
    info = _choose_pace(card_access) if card_access is not None else None
    if info is not None:
        result = perform_pace(connection, key, info, nonce=random)
        channel = SecureChannel(connection, result.sm, extended_length=options.extended_length)
        select_application(channel)
        access = AccessProtocol.PACE_CAN if isinstance(key, CanKey) else AccessProtocol.PACE_MRZ
        logger.info("PACE established (%s)", info.mapping)
        return channel, access, info.protocol
    if not isinstance(key, MrzKey):
        raise UnsupportedProtocolError("the chip offers no usable PACE and a CAN cannot run BAC")
    select_application(connection)
    sm = perform_bac(connection, key, random=random)
    logger.info("BAC established")
    return (
        SecureChannel(connection, sm, extended_length=options.extended_length),
        AccessProtocol.BAC,
        None,
    )


def _choose_pace(card_access: bytes) -> PaceInfo | None:
    try:
        infos = parse_security_infos(card_access).pace
    except (LdsFormatError, UnsupportedProtocolError):
        logger.warning("EF.CardAccess does not parse; falling back to BAC")
        return None
    for info in infos:
        if info.mapping in SUPPORTED_MAPPINGS and info.parameter_id in STANDARD_PARAMETER_IDS:
            try:
                info.cipher  # noqa: B018 - raises for an unknown cipher
            except UnsupportedProtocolError:
                continue
            return info
    return None


def _active_authentication(
    channel: SecureChannel,
    groups: dict[int, bytes],
    options: ReadOptions,
    random: Callable[[int], bytes],
) -> tuple[ActiveAuthenticationEvidence | None, str | None]:
    if not options.active_authentication or 15 not in groups:  # noqa: PLR2004
        return None, None
    try:
        challenge, signature = request_signature(channel, random(8))
    except (ActiveAuthenticationError, CardCommunicationError) as exc:
        return None, str(exc)
    return ActiveAuthenticationEvidence(challenge, signature), None


def _chip_authentication(
    channel: SecureChannel, groups: dict[int, bytes], com: bytes, options: ReadOptions
) -> ChipAuthenticationOutcome:
    if not options.chip_authentication:
        return ChipAuthenticationOutcome(ChipAuthenticationStatus.NOT_ATTEMPTED)
    chosen = _plan(groups.get(14))
    if isinstance(chosen, ChipAuthenticationOutcome):
        return chosen
    try:
        channel.sm = perform_chip_authentication(channel, chosen)
        # The proof: a protected answer that verifies under the new keys.
        proof = read_file_prefix(channel)
    except (ChipAuthenticationError, CardCommunicationError, EmrtdError) as exc:
        return ChipAuthenticationOutcome(
            ChipAuthenticationStatus.FAILED, chosen.protocol, f"Chip Authentication failed: {exc}"
        )
    if not hmac.compare_digest(proof, com[:_CA_PROOF_LENGTH]):
        return ChipAuthenticationOutcome(
            ChipAuthenticationStatus.FAILED, chosen.protocol, "EF.COM differs after CA"
        )
    return ChipAuthenticationOutcome(ChipAuthenticationStatus.PASSED, chosen.protocol)


def _plan(dg14: bytes | None) -> ChipAuthenticationPlan | ChipAuthenticationOutcome:
    if dg14 is None:
        return ChipAuthenticationOutcome(ChipAuthenticationStatus.NOT_SUPPORTED)
    try:
        chosen = plan(parse_dg14(dg14))
    except EmrtdError as exc:
        return ChipAuthenticationOutcome(ChipAuthenticationStatus.FAILED, detail=str(exc))
    if chosen is None:
        return ChipAuthenticationOutcome(ChipAuthenticationStatus.NOT_SUPPORTED)
    return chosen


def read_file_prefix(channel: SecureChannel) -> bytes:
    select_file(channel, Ef.COM)
    answer = exchange(channel, CommandApdu(0x00, 0xB0, 0, 0, le=_CA_PROOF_LENGTH))
    return answer.require_success()
