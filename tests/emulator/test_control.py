"""The /_emulator control API (no auth) and the Python API behind it."""

from __future__ import annotations

import httpx
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle

from .conftest import create, err, ok_data

BODY = {"model": "kling/v2-1-pro", "input": {"prompt": "p", "image_url": "https://x.test/a.png"}}


@pytest.fixture
def control(kie_emulator: EmulatorHandle, http: httpx.Client) -> str:
    return f"{kie_emulator.base_url}/_emulator"


def test_state_lists_credits_ledger_tasks_and_counts(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client, control: str
) -> None:
    task_id = create(client, "/api/v1/jobs/createTask", BODY)
    state = http.get(f"{control}/state").json()
    assert state["credits"] == 10000 - 50
    (entry,) = state["ledger"]
    assert entry["kind"] == "charge" and entry["delta"] == -50 and entry["taskId"] == task_id
    (task,) = state["tasks"]
    assert task["taskId"] == task_id
    assert task["creates"] == 1 and task["charges"] == 1 and task["refunds"] == 0
    assert task["body"] == BODY
    assert state["createCounts"] == [{"model": "kling/v2-1-pro", "payload": BODY, "count": 1}]
    assert state["config"]["api_key"] == "***"


def test_faults_can_be_added_replaced_and_cleared(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client, control: str
) -> None:
    added = http.post(f"{control}/faults", json={"kind": "error-in-200", "times": 1}).json()
    assert [f["kind"] for f in added["faults"]] == ["error-in-200"]
    http.post(f"{control}/faults", json=[{"kind": "slow", "probability": 0.0}])
    assert [f.kind for f in kie_emulator.emulator.faults] == ["error-in-200", "slow"]
    replaced = http.post(
        f"{control}/faults",
        json={
            "rules": [{"kind": "maintenance", "paths": ["/api/v1/chat/credit"]}],
            "replace": True,
        },
    ).json()
    assert [f["kind"] for f in replaced["faults"]] == ["maintenance"]
    assert err(client.get("/api/v1/chat/credit"), 455)
    assert http.delete(f"{control}/faults").json() == {"faults": []}
    assert ok_data(client.get("/api/v1/chat/credit")) == 10000
    bad = http.post(f"{control}/faults", json={"kind": "meteor"})
    assert bad.status_code == 400
    assert "meteor" in bad.json()["error"]


def test_credits_reset_config_and_clock(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client, control: str
) -> None:
    assert http.post(f"{control}/credits", json={"credits": 70}).json() == {"credits": 70}
    assert http.post(f"{control}/credits", json={"add": 5}).json() == {"credits": 75}
    assert err(
        client.post(
            "/api/v1/jobs/createTask", json={**BODY, "input": {**BODY["input"], "duration": "10"}}
        ),
        402,
    )
    assert http.post(f"{control}/credits", json={}).status_code == 400
    config = http.post(f"{control}/config", json={"task_seconds": 50, "link_ttl": 9}).json()
    assert config["task_seconds"] == 50 and config["link_ttl"] == 9
    assert http.post(f"{control}/config", json={"seed": 1}).status_code == 400
    assert http.post(f"{control}/config", json={"task_seconds": -1}).status_code == 400
    task_id = create(client, "/api/v1/jobs/createTask", BODY)
    record = ok_data(client.get("/api/v1/jobs/recordInfo", params={"taskId": task_id}))
    assert record["state"] == "waiting"
    clock = http.post(f"{control}/clock", json={"advance": 51}).json()
    assert clock["offset"] == 51
    record = ok_data(client.get("/api/v1/jobs/recordInfo", params={"taskId": task_id}))
    assert record["state"] == "success"
    assert http.post(f"{control}/reset").json() == {"credits": 10000, "tasks": 0}
    assert kie_emulator.tasks == {}
    assert kie_emulator.ledger == []
    assert kie_emulator.emulator.clock.offset == 0


def test_control_routes_need_no_key(
    kie_emulator: EmulatorHandle, http: httpx.Client, control: str
) -> None:
    assert (
        http.get(f"{control}/state", headers={"Authorization": "Bearer wrong"}).status_code == 200
    )
