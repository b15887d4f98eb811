"""The counter station's citizen desk, assembled from reader.toml and started next to
the tap loop by ``reader-agent run`` (a counter reader with ``[counter] citizen_reader``).

Threads: the screen's HTTP server; one housekeeping thread that refreshes the CSCA
list from the service (``csca_refresh_seconds``) and drops citizen data past its hold
time. The citizen's card is read in the screen request's thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from crypto.errors import CryptoError
from reader_agent.client.errors import ServiceError
from reader_agent.client.tokens import ReaderTokenSigner
from reader_agent.counter.citizen import CitizenRead
from reader_agent.counter.csca_cache import CscaCache
from reader_agent.counter.desk import CounterDesk
from reader_agent.counter.reading import read_citizen
from reader_agent.counter.screen import CounterScreen
from reader_agent.counter.service_client import CounterServiceClient
from reader_agent.counter.view import CounterInfo
from reader_agent.emrtd.keys.access import AccessKey
from reader_agent.pcsc import PcscConnection
from reader_agent.settings import ReaderSettings
from reader_agent.state.errors import StateError
from reader_agent.state.identity import ReaderIdentity

logger = logging.getLogger(__name__)

TRUST_DIRECTORY = "trust"
EXPIRY_TICK_SECONDS = 5.0


class CounterStation:
    """Use ``CounterStation.build(...)`` (None when the reader has no citizen desk)."""

    def __init__(
        self,
        settings: ReaderSettings,
        *,
        client: CounterServiceClient,
        csca: CscaCache,
        clock: Callable[[], datetime],
        stop: threading.Event,
    ) -> None:
        counter = settings.counter
        assert counter.citizen_reader is not None  # noqa: S101 - build() checks it
        self._reader_name = counter.citizen_reader
        self._extended = settings.reader.extended_length
        self._refresh = counter.csca_refresh_seconds
        self._client = client
        self._clock = clock
        self._stop = stop
        self.csca = csca
        self.desk = CounterDesk(
            read_card=self._read_card,
            api=client,
            clock=clock,
            hold=timedelta(seconds=counter.citizen_data_seconds),
        )
        self.screen = CounterScreen(
            self.desk,
            CounterInfo(client),
            port=counter.screen_port,
            default_legal_basis=counter.default_legal_basis,
            csca_count=lambda: len(self.csca.store.certificates),
        )
        self._thread: threading.Thread | None = None

    @classmethod
    def build(
        cls,
        settings: ReaderSettings,
        identity: ReaderIdentity,
        *,
        clock: Callable[[], datetime],
        stop: threading.Event,
    ) -> CounterStation | None:
        if settings.counter.citizen_reader is None:
            return None
        client = CounterServiceClient(
            settings.base_url,
            signer=ReaderTokenSigner(identity.reader_id, identity.private_key),
            timeout=settings.sync.request_timeout_seconds,
        )
        csca = CscaCache(settings.data_dir / TRUST_DIRECTORY, keys=identity.config_keys)
        return cls(settings, client=client, csca=csca, clock=clock, stop=stop)

    def start(self) -> None:
        self.csca.restore()
        self.refresh_csca()
        self.screen.start()
        self._thread = threading.Thread(target=self._housekeeping, name="counter-desk", daemon=True)
        self._thread.start()
        logger.info("citizen desk: cards on %r, screen at %s", self._reader_name, self.screen.url)

    def close(self) -> None:
        self.screen.close()
        self.desk.clear()  # whatever was on screen goes with the process
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self._client.close()

    def refresh_csca(self) -> None:
        try:
            self.csca.offer(self._client.csca_document())
        except ServiceError as exc:
            logger.warning("CSCA list not refreshed: %s", exc)
        except (CryptoError, StateError) as exc:
            logger.error("CSCA list from the service refused: %s", exc)  # noqa: TRY400

    def _read_card(self, key: AccessKey, now: datetime) -> CitizenRead:
        with PcscConnection(self._reader_name) as connection:
            return read_citizen(
                connection, key, self.csca.store, now=now, extended_length=self._extended
            )

    def _housekeeping(self) -> None:
        waited = 0.0
        while not self._stop.wait(EXPIRY_TICK_SECONDS):
            self.desk.expire()
            waited += EXPIRY_TICK_SECONDS
            if waited >= self._refresh:
                waited = 0.0
                self.refresh_csca()
