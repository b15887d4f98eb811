"""Service keys in a PKCS#11 token (an HSM in production, SoftHSM2 in tests)."""

from __future__ import annotations

from pathlib import Path

from card_service.errors import ConfigurationError
from card_service.settings import Settings
from crypto.errors import KeyCustodyError
from crypto.pkcs11_signer import Pkcs11Signer
from crypto.signers import Signer


class Pkcs11KeyCustody:
    """Each named key is a P-256 key pair labelled ``ecard-<name>`` in the token."""

    def __init__(self, *, module: Path, token_label: str, user_pin: str) -> None:
        self._module = module
        self._token_label = token_label
        self._user_pin = user_pin
        self._open: dict[str, Pkcs11Signer] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Pkcs11KeyCustody:
        if settings.pkcs11_module is None or settings.pkcs11_token_label is None:
            raise ConfigurationError("PKCS#11 custody needs ECARD_PKCS11_MODULE and _TOKEN_LABEL")
        pin = settings.pkcs11_user_pin.get_secret_value() if settings.pkcs11_user_pin else ""
        return cls(
            module=settings.pkcs11_module, token_label=settings.pkcs11_token_label, user_pin=pin
        )

    def exists(self, name: str) -> bool:
        try:
            self.get(name)
        except ConfigurationError:
            return False
        return True

    def get(self, name: str) -> Signer:
        if name not in self._open:
            try:
                self._open[name] = Pkcs11Signer.open(
                    module=self._module,
                    token_label=self._token_label,
                    user_pin=self._user_pin,
                    label=f"ecard-{name}",
                )
            except KeyCustodyError as exc:
                raise ConfigurationError(f"signing key {name!r} in the token: {exc}") from exc
        return self._open[name]

    def create(self, name: str) -> Signer:
        try:
            signer = Pkcs11Signer.generate(
                module=self._module,
                token_label=self._token_label,
                user_pin=self._user_pin,
                label=f"ecard-{name}",
            )
        except KeyCustodyError as exc:
            raise ConfigurationError(f"cannot create key {name!r} in the token: {exc}") from exc
        self._open[name] = signer
        return signer
