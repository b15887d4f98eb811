"""The service catalogue over HTTP: pages by code, searched by code or name, filtered by
whether an entry is still offered. It is installation-wide, so every role that reads
statistics sees the same list."""

from __future__ import annotations

from typing import Any

import pytest

from card_service.service_usage.catalogue import add_service
from tests.card_service.conftest import START

SERVICES = {
    "HT-KS": "Đăng ký khai sinh",
    "HT-KH": "Đăng ký kết hôn",
    "HT-KT": "Đăng ký khai tử",
    "CT-BS": "Chứng thực bản sao",
    "DD-TT": "Đăng ký thường trú",
}


@pytest.fixture
def catalogue(session, org) -> None:
    for code, name in SERVICES.items():
        entry = add_service(session, code=code, name=name, actor="user:admin", now=START)
        entry.active = code != "HT-KT"  # withdrawn: no longer offered at the counters
    session.commit()


def _page(client, headers, **params: object) -> dict[str, Any]:
    response = client.get("/api/v1/service-usage/catalogue", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    return body


def _codes(body: dict[str, Any]) -> list[str]:
    return [item["code"] for item in body["items"]]


def test_pages_by_code(client, as_user, catalogue) -> None:
    admin = as_user("admin")
    whole = _page(client, admin)
    assert (_codes(whole), whole["total"], whole["limit"]) == (sorted(SERVICES), 5, 50)
    pages = [_page(client, admin, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [code for page in pages for code in _codes(page)] == sorted(SERVICES)
    assert {page["total"] for page in pages} == {5}
    assert _page(client, admin, offset=5)["items"] == []
    for limit in (0, 501):
        refused = client.get(
            "/api/v1/service-usage/catalogue", params={"limit": limit}, headers=admin
        )
        assert refused.status_code == 422


def test_q_searches_code_and_name(client, as_user, catalogue) -> None:
    admin = as_user("admin")
    assert _codes(_page(client, admin, q="ht-")) == ["HT-KH", "HT-KS", "HT-KT"]
    assert _codes(_page(client, admin, q="khai")) == ["HT-KS", "HT-KT"]
    assert _codes(_page(client, admin, q="KẾT HÔN")) == ["HT-KH"]
    assert _codes(_page(client, admin, q="thuong tru")) == ["DD-TT"]
    assert _page(client, admin, q="hộ chiếu")["total"] == 0


def test_active_and_q_together(client, as_user, catalogue) -> None:
    admin = as_user("admin")
    assert "HT-KT" not in _codes(_page(client, admin, active=True))
    assert _codes(_page(client, admin, active=False)) == ["HT-KT"]
    both = _page(client, admin, active=True, q="khai", limit=1)
    assert (_codes(both), both["total"]) == (["HT-KS"], 1)


@pytest.mark.parametrize("user", ["counter", "auditor"])
def test_every_statistics_reader_sees_the_same_catalogue(client, as_user, catalogue, user) -> None:
    assert _codes(_page(client, as_user(user))) == sorted(SERVICES)
