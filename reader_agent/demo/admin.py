"""The administrator's API calls the demo (and the end-to-end tests) need."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time
from typing import Any

import httpx2

from reader_agent.client.errors import (
    ServiceRefusedError,
    ServiceUnavailableError,
    UnexpectedAnswerError,
)

API = "/api/v1"
_OK = range(200, 300)


@dataclass(frozen=True)
class Registration:
    reader_id: uuid.UUID
    enrolment_token: str


class AdminApi:
    """Signed in as one administrator. ``AdminApi.sign_in`` does the I/O."""

    def __init__(self, client: httpx2.Client) -> None:
        self._client = client

    @classmethod
    def sign_in(cls, base_url: str, username: str, password: str) -> AdminApi:
        client = httpx2.Client(base_url=base_url.rstrip("/") + API, timeout=30.0)
        answer = _call(
            client, "POST", "/auth/sign-in", json={"username": username, "password": password}
        )
        client.headers["Authorization"] = f"Bearer {answer['access_token']}"
        return cls(client)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> AdminApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def unit_id(self, code: str) -> uuid.UUID:
        units = self._get("/units", params={"limit": "500"})["items"]
        return uuid.UUID(next(unit["id"] for unit in units if unit["code"] == code))

    def create_holder(self, full_name: str, unit_id: uuid.UUID) -> uuid.UUID:
        body = {
            "staff_number": f"D{uuid.uuid4().hex[:10]}",
            "full_name": full_name,
            "unit_id": str(unit_id),
        }
        return uuid.UUID(self._post("/holders", body)["id"])

    def request_card(self, holder_id: uuid.UUID) -> uuid.UUID:
        return uuid.UUID(self._post("/cards", {"holder_id": str(holder_id)})["id"])

    def card(self, card_id: uuid.UUID) -> dict[str, Any]:
        return self._get(f"/cards/{card_id}")

    def revoke_card(self, card_id: uuid.UUID, *, comment: str = "thẻ bị mất") -> dict[str, Any]:
        return self._post(f"/cards/{card_id}/revoke", {"reason": "lost", "comment": comment})

    def suspend_card(self, card_id: uuid.UUID, *, comment: str = "tạm khóa") -> dict[str, Any]:
        return self._post(f"/cards/{card_id}/suspend", {"comment": comment})

    def resume_card(
        self, card_id: uuid.UUID, *, comment: str = "đã tìm thấy thẻ"
    ) -> dict[str, Any]:
        return self._post(f"/cards/{card_id}/resume", {"comment": comment})

    def register_reader(
        self, name: str, *, site_unit_id: uuid.UUID, location: str, mode: str
    ) -> Registration:
        body = {"name": name, "site_unit_id": str(site_unit_id), "location": location, "mode": mode}
        ticket = self._post("/readers", body)
        return Registration(uuid.UUID(ticket["reader"]["id"]), ticket["enrolment_token"])

    def reader(self, reader_id: uuid.UUID) -> dict[str, Any]:
        return self._get(f"/readers/{reader_id}")

    def allow_always(
        self, *, holder_ids: list[uuid.UUID], reader_ids: list[uuid.UUID], unit_id: uuid.UUID
    ) -> None:
        """One rule: these holders may pass these readers at any hour, every day."""
        suffix = uuid.uuid4().hex[:8]
        midnight = time(0, 0).isoformat()
        schedule = self._post(
            "/access/schedules",
            {
                "name": f"Cả ngày {suffix}",
                # end <= start runs past midnight: each window is the whole day.
                "windows": [
                    {"weekday": day, "start": midnight, "end": midnight} for day in range(7)
                ],
                "closed_on_holidays": False,
            },
        )
        group = self._post("/access/groups", {"name": f"Nhóm {suffix}", "unit_id": str(unit_id)})
        doors = self._post(
            "/access/door-groups", {"name": f"Cửa {suffix}", "unit_id": str(unit_id)}
        )
        for holder_id in holder_ids:
            self._put(f"/access/groups/{group['id']}/members", {"holder_id": str(holder_id)})
        for reader_id in reader_ids:
            self._put(f"/access/door-groups/{doors['id']}/doors", {"reader_id": str(reader_id)})
        self._post(
            "/access/rules",
            {
                "name": f"Luôn mở {suffix}",
                "access_group_id": group["id"],
                "door_group_id": doors["id"],
                "schedule_id": schedule["id"],
            },
        )

    def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        return _object(_call(self._client, "GET", path, params=params))

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _object(_call(self._client, "POST", path, json=body))

    def _put(self, path: str, body: dict[str, Any]) -> None:
        _call(self._client, "PUT", path, json=body)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnexpectedAnswerError("the service answered something other than an object")
    return value


def _call(
    client: httpx2.Client,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, str] | None = None,
) -> Any:
    try:
        response = client.request(method, path, json=json, params=params)
    except httpx2.HTTPError as exc:
        raise ServiceUnavailableError(f"{method} {path}: {exc}") from exc
    if response.status_code not in _OK:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        problem = problem if isinstance(problem, dict) else {}
        raise ServiceRefusedError(
            response.status_code,
            str(problem.get("code", f"http_{response.status_code}")),
            str(problem.get("detail") or response.text[:200]),
            problem,
        )
    return response.json() if response.content else None
