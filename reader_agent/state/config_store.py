"""The signed reader configuration (reader_protocol.config), on disk and compiled.

``<data_dir>/config.json`` holds the last accepted document exactly as signed; it is
verified again at start-up with the configuration keys from enrolment. A document
for another reader, or older than the one held, is refused.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from crypto.documents import open_document
from crypto.errors import MalformedInputError, VerificationError
from reader_agent.state.errors import ConfigRefusedError, ConfigRollbackError
from reader_agent.state.files import read_optional, write_atomically
from reader_protocol.config import CONFIG_KIND, CONFIG_VERSION, ReaderConfig
from reader_protocol.policy import CompiledPolicy

logger = logging.getLogger(__name__)

CONFIG_FILE = "config.json"


def open_config(
    unverified_document: bytes,
    *,
    keys: Mapping[str, ec.EllipticCurvePublicKey],
    reader_id: uuid.UUID,
) -> ReaderConfig:
    """Verify the signature and the content; raise VerificationError or ConfigRefusedError."""
    document = open_document(
        unverified_document, kind=CONFIG_KIND, versions={CONFIG_VERSION}, keys=keys
    )
    try:
        config = ReaderConfig.model_validate(document.content)
    except ValidationError as exc:
        raise MalformedInputError(f"signed configuration does not parse: {exc}") from exc
    if config.reader_id != reader_id:
        raise ConfigRefusedError(f"configuration is for reader {config.reader_id}, not this one")
    return config


class ConfigStore:
    """The configuration in force. ``policy`` is None until one is held."""

    def __init__(
        self,
        data_dir: Path,
        *,
        keys: Mapping[str, ec.EllipticCurvePublicKey],
        reader_id: uuid.UUID,
    ) -> None:
        self._path = data_dir / CONFIG_FILE
        self._keys = dict(keys)
        self._reader_id = reader_id
        self.policy: CompiledPolicy | None = None

    @property
    def config(self) -> ReaderConfig | None:
        policy = self.policy
        return None if policy is None else policy.config

    @property
    def version(self) -> int:
        config = self.config
        return 0 if config is None else config.version

    def restore(self) -> None:
        data = read_optional(self._path)
        if data is None:
            return
        try:
            config = open_config(data, keys=self._keys, reader_id=self._reader_id)
        except (VerificationError, ConfigRefusedError) as exc:
            logger.error(  # noqa: TRY400 - the refusal says why; a traceback adds nothing
                "held configuration no longer verifies (%s); failing closed", exc
            )
            return
        self.policy = CompiledPolicy(config)
        logger.info("restored configuration version %d", config.version)

    def offer(self, unverified_document: bytes) -> ReaderConfig | None:
        """Use a newer configuration and keep it; None when it is the one held."""
        config = open_config(unverified_document, keys=self._keys, reader_id=self._reader_id)
        held = self.version
        if config.version < held:
            raise ConfigRollbackError(held, config.version)
        if config.version == held:
            return None
        policy = CompiledPolicy(config)  # compile before anything is replaced
        write_atomically(self._path, unverified_document)
        self.policy = policy
        logger.info("configuration version %d accepted", config.version)
        return config
