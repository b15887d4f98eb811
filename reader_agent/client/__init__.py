"""The agent's HTTP client for card_service: every request but enrolment carries a
token the reader signs with its own key (reader_protocol.auth)."""

from reader_agent.client.errors import (
    ServiceError,
    ServiceRefusedError,
    ServiceUnavailableError,
)
from reader_agent.client.service import ServiceClient
from reader_agent.client.tokens import ReaderTokenSigner

__all__ = [
    "ReaderTokenSigner",
    "ServiceClient",
    "ServiceError",
    "ServiceRefusedError",
    "ServiceUnavailableError",
]
