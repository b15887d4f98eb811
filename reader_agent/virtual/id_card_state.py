"""The virtual citizen ID card's state directory: test PKI, chip keys, data and files.

``initialise(directory)`` issues a test CSCA (Vietnam), a Document Signer, a master
list signer and a signed master list, an unrelated "rogue" CSCA with its own DS (for
the unknown-CSCA case), the chip's CA key (brainpoolP256r1) and AA key (RSA 2048),
generated personal data, and all LDS files with their SOD. ``load_chip`` builds the
chip, optionally misbehaving:

- ``wrong-can``: the chip's CAN is not the one printed on the card;
- ``tampered-dg``: DG13 was changed after the SOD was signed;
- ``unknown-csca``: the SOD is signed by a DS under a CSCA nobody trusts;
- ``cloned``: the data (and SOD) are copied, but the chip has no CA or AA key.

Everything in the directory is test data.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from reader_agent.emrtd.der import encode_integer, encode_oid
from reader_agent.emrtd.files import Ef, data_group_fid
from reader_agent.emrtd.groups import EcGroup, standard_group
from reader_agent.emrtd.keys.access import MrzKey
from reader_agent.emrtd.lds.com import encode_com
from reader_agent.emrtd.lds.dg1 import encode_dg1
from reader_agent.emrtd.lds.dg2 import encode_dg2
from reader_agent.emrtd.lds.dg13 import encode_dg13
from reader_agent.emrtd.lds.dg14_15 import encode_dg14, encode_dg15
from reader_agent.emrtd.security_infos import ID_CA_ECDH, ID_PK_ECDH, PACE_ECDH_GM, PaceInfo
from reader_agent.errors import VirtualCardError
from reader_agent.iso7816.tlv import encode_tlv
from reader_agent.virtual.emrtd_chip import ChipConfig, EmrtdChip
from reader_agent.virtual.emrtd_chip_auth import (
    ActiveAuthChip,
    BacChip,
    ChipAuthChip,
    PaceChip,
    PasswordCounter,
)
from reader_agent.virtual.emrtd_issuer import (
    Issued,
    build_master_list,
    build_sod,
    make_csca,
    make_signer,
)
from reader_agent.virtual.id_card_data import Citizen, generate_citizen, placeholder_jpeg

MISBEHAVIOURS = ("wrong-can", "tampered-dg", "unknown-csca", "cloned")
PACE_PROTOCOL = f"{PACE_ECDH_GM}.2"  # ECDH generic mapping, AES-128, as CCCD chips offer
PACE_PARAMETER_ID = 13  # brainpoolP256r1
CA_PROTOCOL = f"{ID_CA_ECDH}.2"  # ECDH, AES-128
DATA_GROUPS = (1, 2, 13, 14, 15)
STATE_FILE = "chip.json"


@dataclass(frozen=True)
class TrustMaterial:
    """What a reader under test is given: the CSCA and the signed master list."""

    csca_certificate: x509.Certificate
    master_list: bytes


def _write_issued(directory: Path, name: str, issued: Issued) -> None:
    (directory / f"{name}.der").write_bytes(issued.certificate_der())
    key_path = directory / f"{name}-key.pem"
    key_path.write_bytes(issued.key_pem())
    key_path.chmod(0o600)


def _read_issued(directory: Path, name: str) -> Issued:
    key = serialization.load_pem_private_key((directory / f"{name}-key.pem").read_bytes(), None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise VirtualCardError(f"{name} key is not an EC key")
    cert = x509.load_der_x509_certificate((directory / f"{name}.der").read_bytes())
    return Issued(key, cert)


def card_access() -> bytes:
    info = encode_tlv(0x30, encode_oid(PACE_PROTOCOL) + encode_integer(2) + encode_integer(13))
    return encode_tlv(0x31, info)


def _dg14(ca_public: ec.EllipticCurvePublicKey) -> bytes:
    spki = ca_public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_info = encode_tlv(0x30, encode_oid(ID_PK_ECDH) + spki)
    ca_info = encode_tlv(0x30, encode_oid(CA_PROTOCOL) + encode_integer(1))
    pace_info = encode_tlv(
        0x30, encode_oid(PACE_PROTOCOL) + encode_integer(2) + encode_integer(PACE_PARAMETER_ID)
    )
    return encode_dg14(encode_tlv(0x31, key_info + ca_info + pace_info))


def initialise(directory: Path, *, now: datetime, seed: int | None = None) -> Citizen:
    """Create a complete card state in ``directory`` (which must be empty or absent)."""
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / STATE_FILE).exists():
        raise VirtualCardError(f"{directory} already holds a virtual ID card")
    citizen = generate_citizen(seed if seed is not None else secrets.randbits(32), today=now.date())
    start = now - timedelta(days=365)
    csca = make_csca(country="VN", common_name="CSCA Viet Nam (TEST)", not_before=start)
    ds = make_signer(
        csca, country="VN", common_name="Document Signer CCCD (TEST)", not_before=start
    )
    ml_signer = make_signer(
        csca,
        country="VN",
        common_name="Master List Signer (TEST)",
        not_before=start,
        master_list_signer=True,
    )
    rogue = make_csca(country="VN", common_name="CSCA Viet Nam (TEST)", not_before=start)
    rogue_ds = make_signer(
        rogue, country="VN", common_name="Document Signer CCCD (TEST)", not_before=start
    )
    for name, issued in (
        ("csca", csca),
        ("ds", ds),
        ("ml-signer", ml_signer),
        ("rogue-csca", rogue),
        ("rogue-ds", rogue_ds),
    ):
        _write_issued(directory, name, issued)
    ca_key = ec.generate_private_key(ec.BrainpoolP256R1())
    aa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for name, key in (("chip-ca", ca_key), ("chip-aa", aa_key)):
        path = directory / f"{name}-key.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    groups = {
        1: encode_dg1(citizen.mrz()),
        2: encode_dg2(placeholder_jpeg()),
        13: encode_dg13(citizen.details()),
        14: _dg14(ca_key.public_key()),
        15: encode_dg15(
            aa_key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        ),
    }
    files_dir = directory / "files"
    files_dir.mkdir(exist_ok=True)
    for number, content in groups.items():
        (files_dir / f"{data_group_fid(number):04X}.bin").write_bytes(content)
    (files_dir / f"{Ef.COM:04X}.bin").write_bytes(encode_com(list(DATA_GROUPS)))
    (files_dir / f"{Ef.CARD_ACCESS:04X}.bin").write_bytes(card_access())
    signed_at = now - timedelta(days=30)
    (files_dir / "sod.bin").write_bytes(build_sod(groups, ds, signing_time=signed_at))
    (files_dir / "sod-rogue.bin").write_bytes(build_sod(groups, rogue_ds, signing_time=signed_at))
    (directory / "master-list.ml").write_bytes(
        build_master_list([csca.certificate], ml_signer, signing_time=now - timedelta(days=1))
    )
    (directory / STATE_FILE).write_text(
        json.dumps({"version": 1, "citizen": citizen.to_json()}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    return citizen


def load_citizen(directory: Path) -> Citizen:
    try:
        state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VirtualCardError(f"no virtual ID card state in {directory}: {exc}") from exc
    return Citizen.from_json(state["citizen"])


def load_trust_material(directory: Path) -> TrustMaterial:
    return TrustMaterial(
        _read_issued(directory, "csca").certificate, (directory / "master-list.ml").read_bytes()
    )


def load_chip(directory: Path, *, misbehave: str | None = None) -> EmrtdChip:
    if misbehave is not None and misbehave not in MISBEHAVIOURS:
        raise VirtualCardError(f"unknown misbehaviour {misbehave!r}")
    citizen = load_citizen(directory)
    files_dir = directory / "files"
    files = {
        int(path.stem, 16): path.read_bytes()
        for path in files_dir.glob("*.bin")
        if not path.stem.startswith("sod")
    }
    files[Ef.SOD] = (
        files_dir / ("sod-rogue.bin" if misbehave == "unknown-csca" else "sod.bin")
    ).read_bytes()
    if misbehave == "tampered-dg":
        dg13 = files[data_group_fid(13)]
        # Same length in UTF-8 (4 bytes), so only the hash gives it away.
        files[data_group_fid(13)] = dg13.replace(b"Kinh", "Tày".encode())
    can = citizen.can
    if misbehave == "wrong-can":
        can = f"{(int(can) + 1) % 10**6:06d}"
    group = standard_group(PACE_PARAMETER_ID)
    if not isinstance(group, EcGroup):  # pragma: no cover - parameter 13 is a curve
        raise VirtualCardError("CA needs a curve")
    ca_private = _ec_private(directory / "chip-ca-key.pem")
    aa_key = _rsa_private(directory / "chip-aa-key.pem")
    if misbehave == "cloned":
        ca_private = group.random_private()  # a clone copies data, not the chip's secret keys
        aa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    mrz = MrzKey(
        citizen.document_number,
        citizen.date_of_birth.strftime("%y%m%d"),
        citizen.date_of_expiry.strftime("%y%m%d"),
    )
    offered = PaceInfo(PACE_PROTOCOL, 2, PACE_PARAMETER_ID)
    return EmrtdChip(
        ChipConfig(
            files=files,
            pace=PaceChip(can=can, mrz=mrz, offered=offered, counter=PasswordCounter()),
            bac=BacChip(mrz=mrz),
            chip_auth=ChipAuthChip(group=group, private=ca_private, protocol=CA_PROTOCOL),
            active_auth=ActiveAuthChip(key=aa_key),
        )
    )


def _ec_private(path: Path) -> int:
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise VirtualCardError("the chip's CA key is not an EC key")
    return int(key.private_numbers().private_value)


def _rsa_private(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise VirtualCardError("the chip's AA key is not an RSA key")
    return key
