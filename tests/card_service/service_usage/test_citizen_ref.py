"""The citizen reference key: created once with owner-only permissions, or given in the
environment; the reference is HMAC-SHA-256 over the issuing state and the number."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from card_service.errors import ConfigurationError
from card_service.service_usage.citizen_ref import CitizenRefKey
from card_service.settings import Settings

NUMBER = "046201000123"


def test_the_key_file_is_created_on_first_use_and_reused(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = CitizenRefKey.from_settings(settings)
    path = tmp_path / "keys" / "citizen-ref.key"
    assert not path.exists()  # constructing does no I/O
    ref = first.reference("VNM", NUMBER)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(path.read_bytes()) == 32
    again = CitizenRefKey.from_settings(settings)
    assert again.reference("vnm", f" {NUMBER[:6]} {NUMBER[6:]} ") == ref  # normalised
    assert ref == hmac.new(path.read_bytes(), f"VNM|{NUMBER}".encode(), hashlib.sha256).hexdigest()
    assert NUMBER not in ref


def test_the_reference_depends_on_key_state_and_number(tmp_path) -> None:
    one = CitizenRefKey(secret=bytes(32))
    two = CitizenRefKey(secret=bytes(31) + b"\x01")
    assert one.reference("VNM", NUMBER) != two.reference("VNM", NUMBER)
    assert one.reference("VNM", NUMBER) != one.reference("VNM", "046201000124")
    assert one.reference("VNM", NUMBER) != one.reference("KHM", NUMBER)


def test_a_key_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ECARD_CITIZEN_REF_KEY", "ab" * 32)
    refs = CitizenRefKey.from_settings(Settings.from_environment(data_dir=tmp_path))
    expected = hmac.new(bytes.fromhex("ab" * 32), f"VNM|{NUMBER}".encode(), hashlib.sha256)
    assert refs.reference("VNM", NUMBER) == expected.hexdigest()
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize("value", ["ab" * 16, "not hex"])
def test_a_short_or_garbled_key_is_a_configuration_error(value, tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, citizen_ref_key=value)
    with pytest.raises(ConfigurationError):
        CitizenRefKey.from_settings(settings)


def test_a_key_file_others_can_read_is_refused(tmp_path) -> None:
    path = tmp_path / "citizen-ref.key"
    path.write_bytes(os.urandom(32))
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="owner only"):
        CitizenRefKey(key_file=path).reference("VNM", NUMBER)
