"""The one module that imports pyscard: PC/SC readers and connections.

Everything pyscard raises is re-raised as a ``CardCommunicationError`` subclass here,
so the rest of the agent never sees a pyscard type and always fails closed.
"""

from __future__ import annotations

import logging
from types import TracebackType

from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import (
    CardConnectionException,
    NoCardException,
    SmartcardException,
)
from smartcard.pcsc.PCSCExceptions import EstablishContextException, ListReadersException
from smartcard.reader.Reader import Reader
from smartcard.System import readers as _pyscard_readers

from reader_agent.errors import (
    CardCommunicationError,
    NoCardError,
    NoReaderError,
    PcscUnavailableError,
)

logger = logging.getLogger(__name__)

# APDU traffic is logged below DEBUG: it is voluminous and may contain card data.
APDU_LOG_LEVEL = 5


def list_readers() -> list[str]:
    """Names of the readers pcscd knows, in pcscd's order."""
    try:
        return [str(reader) for reader in _pyscard_readers()]
    except EstablishContextException as exc:
        raise PcscUnavailableError(f"cannot reach the PC/SC daemon (pcscd): {exc}") from exc
    except ListReadersException as exc:
        raise NoReaderError(f"PC/SC lists no readers: {exc}") from exc
    except SmartcardException as exc:
        raise CardCommunicationError(f"PC/SC error while listing readers: {exc}") from exc


class PcscConnection:
    """A connection to the card in one PC/SC reader; use as a context manager."""

    def __init__(self, reader_name: str) -> None:
        self.reader_name = reader_name
        self._connection: CardConnection | None = None

    def open(self) -> PcscConnection:
        for reader in _readers_or_raise():
            if str(reader) == self.reader_name:
                connection = reader.createConnection()
                try:
                    connection.connect()
                except NoCardException as exc:
                    raise NoCardError(f"no card in reader {self.reader_name!r}") from exc
                except (CardConnectionException, SmartcardException) as exc:
                    raise CardCommunicationError(
                        f"cannot connect to the card in {self.reader_name!r}: {exc}"
                    ) from exc
                self._connection = connection
                return self
        raise NoReaderError(f"no PC/SC reader named {self.reader_name!r}")

    @property
    def atr(self) -> bytes:
        return bytes(self._require().getATR())

    def transmit(self, apdu: bytes) -> bytes:
        connection = self._require()
        logger.log(APDU_LOG_LEVEL, "> %s", apdu.hex())
        try:
            data, sw1, sw2 = connection.transmit(list(apdu))
        except (CardConnectionException, SmartcardException) as exc:
            raise CardCommunicationError(f"card in {self.reader_name!r} stopped answering") from exc
        response = bytes(data) + bytes((sw1, sw2))
        logger.log(APDU_LOG_LEVEL, "< %s", response.hex())
        return response

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.disconnect()
            except SmartcardException:
                logger.debug("disconnect from %s failed; card already gone", self.reader_name)
            self._connection = None

    def __enter__(self) -> PcscConnection:
        return self.open() if self._connection is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _require(self) -> CardConnection:
        if self._connection is None:
            raise CardCommunicationError("connection is not open")
        return self._connection


def _readers_or_raise() -> list[Reader]:
    try:
        return list(_pyscard_readers())
    except EstablishContextException as exc:
        raise PcscUnavailableError(f"cannot reach the PC/SC daemon (pcscd): {exc}") from exc
    except SmartcardException as exc:
        raise CardCommunicationError(f"PC/SC error while listing readers: {exc}") from exc
