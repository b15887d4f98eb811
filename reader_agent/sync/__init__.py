"""Keeping the reader and the service in step, in background threads: the outbox
uploader, the trust/configuration follower (change feed plus a heartbeat that also
polls), each retrying with back-off while the service is away."""

from reader_agent.sync.follower import TrustFollower
from reader_agent.sync.heartbeat import Heartbeater
from reader_agent.sync.uploader import Uploader

__all__ = ["Heartbeater", "TrustFollower", "Uploader"]
