"""OpenSC conformance: OpenSC's own PIV driver must take the virtual card for a PIV
card, list the card-authentication certificate we wrote, hand back the same bytes,
and sign with the card's key through its PKCS#11 module.

A card that answered SELECT, GET DATA, GET RESPONSE, VERIFY or GENERAL AUTHENTICATE
other than a PIV card does would fail here, because a third-party client that has
met real PIV cards does the talking.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from tests.reader_agent.piv.certificates import der
from tests.reader_agent.piv.personalise import IssuedCard, personalise_state_file
from tests.support.environment import require
from tests.support.pcsc import virtual_card_process

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("pcscd")]

PKCS11_MODULES = [
    Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"),
    Path("/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so"),
    Path("/usr/lib/opensc-pkcs11.so"),
]
CARD_AUTH_LABEL = "Certificate for Card Authentication"
CARD_AUTH_ID = "04"  # OpenSC's PIV emulation numbers 9A, 9C, 9D, 9E as 01..04


@dataclass(frozen=True)
class OpenSc:
    env: dict[str, str]

    def run(self, *command: str) -> str:
        result = subprocess.run(
            command, capture_output=True, text=True, env=self.env, timeout=60, check=False
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
        return result.stdout


@pytest.fixture
def opensc(tmp_path: Path) -> OpenSc:
    require(shutil.which("pkcs15-tool") is not None, "OpenSC (pkcs15-tool)")
    # No file caching: every run must read the card, not what an earlier run saw.
    config = tmp_path / "opensc.conf"
    config.write_text("app default {\n  framework pkcs15 {\n    use_file_caching = no;\n  }\n}\n")
    return OpenSc(env={**os.environ, "OPENSC_CONF": str(config), "HOME": str(tmp_path)})


@pytest.fixture
def issued_card(tmp_path: Path) -> Iterator[tuple[IssuedCard, str]]:
    state = tmp_path / "card.json"
    issued = personalise_state_file(state)
    with virtual_card_process(["--kind", "piv", "--state", str(state)]) as card:
        yield issued, card.reader_name


def _certificate_blocks(listing: str) -> dict[str, dict[str, str]]:
    """pkcs15-tool --list-certificates, as {label: {field: value}}."""
    blocks: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in listing.splitlines():
        if line.startswith("X.509 Certificate ["):
            current = blocks.setdefault(line[len("X.509 Certificate [") : -1], {})
        elif current is not None and ":" in line:
            name, _, value = line.partition(":")
            current[name.strip()] = value.strip()
    return blocks


def test_opensc_recognises_a_piv_card(opensc: OpenSc, issued_card: tuple[IssuedCard, str]) -> None:
    _, reader = issued_card
    assert opensc.run("opensc-tool", "--reader", reader, "--name").strip() == (
        "Personal Identity Verification Card"
    )


def test_pkcs15_tool_lists_and_reads_the_card_authentication_certificate(
    opensc: OpenSc, issued_card: tuple[IssuedCard, str]
) -> None:
    issued, reader = issued_card
    blocks = _certificate_blocks(
        opensc.run("pkcs15-tool", "--reader", reader, "--list-certificates")
    )
    assert CARD_AUTH_LABEL in blocks, blocks
    listed = blocks[CARD_AUTH_LABEL]
    assert listed["ID"] == CARD_AUTH_ID
    serial = issued.certificate.serial_number
    serial_hex = serial.to_bytes((serial.bit_length() + 8) // 8, "big").hex().upper()
    assert listed["Encoded serial"].endswith(serial_hex)

    pem = opensc.run("pkcs15-tool", "--reader", reader, "--read-certificate", CARD_AUTH_ID)
    read_back = x509.load_pem_x509_certificate(pem.encode("ascii"))
    assert der(read_back) == der(issued.certificate)
    assert read_back.subject == issued.certificate.subject


def test_opensc_pkcs11_signs_with_the_card_authentication_key(
    opensc: OpenSc, issued_card: tuple[IssuedCard, str], tmp_path: Path
) -> None:
    issued, reader = issued_card
    module = next((path for path in PKCS11_MODULES if path.exists()), None)
    require(module is not None, "OpenSC's PKCS#11 module")
    assert module is not None
    digest = hashlib.sha256(b"cua-tap").digest()
    (tmp_path / "digest").write_bytes(digest)
    opensc.run(
        "pkcs11-tool", "--module", str(module), "--slot-description", reader,
        "--login", "--pin", "123456",  # OpenSC logs in before any private-key use
        "--sign", "--id", CARD_AUTH_ID, "--mechanism", "ECDSA",
        "--input-file", str(tmp_path / "digest"), "--output-file", str(tmp_path / "signature"),
    )  # fmt: skip
    raw = (tmp_path / "signature").read_bytes()
    assert len(raw) == 64  # PKCS#11 ECDSA: r || s
    signature = utils.encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    issued.public_key.verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))


def test_a_blank_card_has_no_certificate_to_list(opensc: OpenSc, tmp_path: Path) -> None:
    with virtual_card_process(["--kind", "piv", "--state", str(tmp_path / "blank.json")]) as card:
        assert "Personal Identity Verification" in opensc.run(
            "opensc-tool", "--reader", card.reader_name, "--name"
        )
        listing = opensc.run("pkcs15-tool", "--reader", card.reader_name, "--list-certificates")
    assert CARD_AUTH_LABEL not in _certificate_blocks(listing)
