"""A test state: CSCA, Document Signer, data groups and their SOD."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from reader_agent.virtual.emrtd_issuer import Issued, build_sod, make_csca, make_signer

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SIGNED_AT = NOW - timedelta(days=200)


@dataclass
class TestIssuer:
    csca: Issued
    ds: Issued
    groups: dict[int, bytes]
    sod: bytes


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    csca = make_csca(country="VN", common_name="CSCA VN test", not_before=NOW - timedelta(days=900))
    ds = make_signer(
        csca, country="VN", common_name="DS VN test", not_before=NOW - timedelta(days=400)
    )
    groups = {1: b"\x61\x03\x5f\x1f\x00", 13: b"\x6d\x02\x30\x00", 14: b"\x6e\x02\x31\x00"}
    return TestIssuer(csca, ds, groups, build_sod(groups, ds, signing_time=SIGNED_AT))
