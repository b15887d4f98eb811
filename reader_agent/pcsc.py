"""The one module that imports pyscard: PC/SC readers and connections.

Everything pyscard raises is re-raised as a ``CardCommunicationError`` subclass here,
so the rest of the agent never sees a pyscard type and always fails closed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType

from smartcard import scard
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
from reader_agent.iso7816.redact import APDU_LOG_LEVEL, loggable_command

logger = logging.getLogger(__name__)


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
    """A connection to the card in one PC/SC reader; use as a context manager.

    ``exclusive=True`` keeps every other program off the card until the connection
    closes: nobody can reset it in the middle of our exchange (a shared connection's
    owner disconnects with a reset or power-off, and every other holder's next APDU
    then fails with "card was reset"). While another program holds the card, an
    exclusive connect fails (sharing violation) and the caller tries again later.
    """

    def __init__(self, reader_name: str, *, exclusive: bool = False) -> None:
        self.reader_name = reader_name
        self._mode = scard.SCARD_SHARE_EXCLUSIVE if exclusive else scard.SCARD_SHARE_SHARED
        self._connection: CardConnection | None = None

    def open(self) -> PcscConnection:
        for reader in _readers_or_raise():
            if str(reader) == self.reader_name:
                connection = reader.createConnection()
                try:
                    connection.connect(mode=self._mode)
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
        if logger.isEnabledFor(APDU_LOG_LEVEL):
            logger.log(APDU_LOG_LEVEL, "> %s", loggable_command(apdu))
        try:
            data, sw1, sw2 = connection.transmit(list(apdu))
        except (CardConnectionException, SmartcardException) as exc:
            raise CardCommunicationError(
                f"card in {self.reader_name!r} stopped answering ({_pcsc_error(exc)})"
            ) from exc
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


def _pcsc_error(exc: SmartcardException) -> str:
    """pcscd's name for the failure, e.g. "Card was reset." for SCARD_W_RESET_CARD."""
    return scard.SCardGetErrorMessage(exc.hresult) if exc.hresult != -1 else str(exc)


def card_in_reader(reader_name: str) -> bool:
    """Whether pcscd reports a card in the reader that answered its power-on (an ATR),
    asked without connecting to the card: a connection would power the card off when
    it closes, under anyone else who is using it."""
    try:
        with CardWatcher(reader_name) as watcher:
            presence = watcher.wait(0)
    except CardCommunicationError:
        return False
    return presence is not None and presence.present


def _readers_or_raise() -> list[Reader]:
    try:
        return list(_pyscard_readers())
    except EstablishContextException as exc:
        raise PcscUnavailableError(f"cannot reach the PC/SC daemon (pcscd): {exc}") from exc
    except SmartcardException as exc:
        raise CardCommunicationError(f"PC/SC error while listing readers: {exc}") from exc


# SCardGetStatusChange answers that mean pcscd went away (restarted, stopped): the
# context is dead and a new one must be established.
_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_E_NO_READERS_AVAILABLE,
}
_READER_GONE = {scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE}
_EVENT_COUNTER_SHIFT = 16  # pcsc-lite counts insertions and removals in the high bits


@dataclass(frozen=True)
class CardPresence:
    """A reader's state: is a card in it, and pcscd's count of insertions and removals
    (a card taken out and put back between two looks changes the count)."""

    present: bool
    events: int


class CardWatcher:
    """Waits for cards to come and go in one reader (SCardGetStatusChange), without
    connecting to them. ``open()`` establishes the PC/SC context; the constructor does
    no I/O. Raises PcscUnavailableError when pcscd goes away and NoReaderError when
    the reader is unplugged; the caller closes, waits and opens again."""

    def __init__(self, reader_name: str) -> None:
        self.reader_name = reader_name
        self._context: int | None = None
        self._state = scard.SCARD_STATE_UNAWARE

    def open(self) -> CardWatcher:
        result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            raise PcscUnavailableError(
                f"cannot reach the PC/SC daemon (pcscd): {scard.SCardGetErrorMessage(result)}"
            )
        self._context = context
        self._state = scard.SCARD_STATE_UNAWARE
        return self

    def wait(self, timeout_s: float) -> CardPresence | None:
        """The reader's state once it differs from the last one seen (at once on the
        first call); None if nothing changed within ``timeout_s``."""
        if self._context is None:
            raise PcscUnavailableError("the card watcher is not open")
        result, states = scard.SCardGetStatusChange(
            self._context, max(0, int(timeout_s * 1000)), [(self.reader_name, self._state)]
        )
        if result == scard.SCARD_E_TIMEOUT:
            return None
        if result in _SERVICE_GONE:
            self.close()
            raise PcscUnavailableError(f"pcscd went away: {scard.SCardGetErrorMessage(result)}")
        if result in _READER_GONE:
            raise NoReaderError(f"reader {self.reader_name!r} is not available")
        if result != scard.SCARD_S_SUCCESS:
            raise CardCommunicationError(
                f"PC/SC error while watching {self.reader_name!r}: "
                f"{scard.SCardGetErrorMessage(result)}"
            )
        _, event_state, _atr = states[0]
        if event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
            raise NoReaderError(f"reader {self.reader_name!r} is not available")
        self._state = event_state & ~scard.SCARD_STATE_CHANGED
        present = bool(event_state & scard.SCARD_STATE_PRESENT) and not (
            event_state & scard.SCARD_STATE_MUTE
        )
        return CardPresence(present=present, events=event_state >> _EVENT_COUNTER_SHIFT)

    def close(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            scard.SCardReleaseContext(context)  # a dead daemon's context: nothing to do

    def __enter__(self) -> CardWatcher:
        return self.open() if self._context is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
