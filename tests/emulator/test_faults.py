"""Fault injection: every kind happens, deterministically under a seed, within its limits."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from kie_emulator.config import EmulatorConfig, FaultRule
from kie_emulator.media import sample_video
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_emulator.state import Emulator

from .conftest import create, err, ok_data

CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
CREDIT = "/api/v1/chat/credit"
BODY = {"model": "kling/v2-1-master-text-to-video", "input": {"prompt": "p"}}


def test_rate_limit_fault(kie_emulator: EmulatorHandle, client: httpx.Client) -> None:
    kie_emulator.set_fault("rate-limit", times=1)
    response = client.post(CREATE, json=BODY)
    assert err(response, 429, http_status=429)
    assert response.headers["Retry-After"] == "1"
    assert kie_emulator.tasks == {}
    assert kie_emulator.credits == 10000
    create(client, CREATE, BODY)


def test_server_error_fault(kie_emulator: EmulatorHandle, client: httpx.Client) -> None:
    kie_emulator.set_fault("server-error", times=1)
    assert err(client.post(CREATE, json=BODY), 500, http_status=500)
    assert kie_emulator.tasks == {}


def test_maintenance_fault(kie_emulator: EmulatorHandle, client: httpx.Client) -> None:
    kie_emulator.set_fault("maintenance", times=1)
    assert "maintenance" in err(client.get(CREDIT), 455)


def test_error_in_200_fault(kie_emulator: EmulatorHandle, client: httpx.Client) -> None:
    kie_emulator.set_fault("error-in-200", times=1)
    response = client.post(CREATE, json=BODY)
    assert response.status_code == 200
    assert err(response, 500)
    assert kie_emulator.tasks == {}


def test_malformed_json_fault(kie_emulator: EmulatorHandle, client: httpx.Client) -> None:
    kie_emulator.set_fault("malformed-json", times=1)
    response = client.get(CREDIT)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert ok_data(client.get(CREDIT)) == 10000


def test_slow_fault_makes_the_client_time_out(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.configure(slow_seconds=0.6)
    kie_emulator.set_fault("slow", times=1, paths=[CREATE])
    with pytest.raises(httpx.ReadTimeout):
        client.post(CREATE, json=BODY, timeout=0.15)
    time.sleep(0.7)
    # The client gave up before the delay ended: the request was never processed.
    assert kie_emulator.create_count(BODY["model"]) == 0
    kie_emulator.set_fault("slow", times=1)
    started = time.monotonic()
    assert ok_data(client.get(CREDIT, timeout=5)) == 10000
    assert time.monotonic() - started >= 0.6


def test_drop_connection_fault_on_json(kie_emulator: EmulatorHandle, client: httpx.Client) -> None:
    kie_emulator.set_fault("drop-connection", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get(CREDIT)
    assert ok_data(client.get(CREDIT)) == 10000


def test_drop_connection_on_create_creates_nothing(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.set_fault("drop-connection", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post(CREATE, json=BODY)
    assert kie_emulator.create_count(BODY["model"]) == 0
    assert kie_emulator.credits == 10000


def test_lost_create_response_creates_and_charges_once(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.set_fault("lost-create-response", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post(CREATE, json=BODY)
    assert kie_emulator.create_count(BODY["model"], BODY) == 1
    assert kie_emulator.credits == 10000 - 160
    (task,) = kie_emulator.tasks.values()
    assert task.body == BODY
    state = kie_emulator.state
    assert state["tasks"][0]["creates"] == 1
    assert state["tasks"][0]["charges"] == 1


def test_lost_create_response_only_hits_create_routes(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.set_fault("lost-create-response")
    assert ok_data(client.get(CREDIT)) == 10000
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post("/api/v1/veo/generate", json={"prompt": "p"})
    assert kie_emulator.create_count("veo3_fast") == 1


def test_drop_connection_mid_download_then_resume_with_range(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    task_id = create(client, CREATE, BODY)
    kie_emulator.advance(1)
    record = ok_data(client.get(RECORD, params={"taskId": task_id}))
    url = json.loads(record["resultJson"])["resultUrls"][0]
    sample = sample_video()
    kie_emulator.set_fault("drop-connection", times=1, paths=["/files/"])
    received = bytearray()
    with (
        pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
        http.stream("GET", url) as response,
    ):
        assert response.headers["content-length"] == str(len(sample))
        for chunk in response.iter_raw():
            received.extend(chunk)
    assert 0 < len(received) < len(sample)
    assert abs(len(received) - len(sample) // 2) <= 1
    rest = http.get(url, headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206
    assert bytes(received) + rest.content == sample


def test_fault_paths_filter_and_control_routes_are_never_faulted(
    kie_emulator: EmulatorHandle, client: httpx.Client, http: httpx.Client
) -> None:
    kie_emulator.set_fault("server-error", paths=[RECORD])
    assert ok_data(client.get(CREDIT)) == 10000
    assert err(client.get(RECORD, params={"taskId": "x"}), 500, http_status=500)
    kie_emulator.clear_faults()
    kie_emulator.set_fault("server-error")
    state = http.get(f"{kie_emulator.base_url}/_emulator/state")
    assert state.status_code == 200
    assert state.json()["faults"][0]["kind"] == "server-error"


def test_upload_host_faults_use_the_upload_envelope(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.set_fault("server-error", times=1)
    response = client.post(
        "/api/file-base64-upload", json={"base64Data": "YWJj", "uploadPath": "x"}
    )
    assert response.status_code == 500
    assert response.json()["success"] is False


def test_times_limits_how_often_a_rule_fires(
    kie_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kie_emulator.set_fault("error-in-200", times=2)
    codes = [client.get(CREDIT).json()["code"] for _ in range(4)]
    assert codes == [500, 500, 200, 200]
    (rule,) = kie_emulator.state["faults"]
    assert rule["fired"] == 2 and rule["remaining"] == 0


def test_probability_is_deterministic_under_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        em = Emulator(EmulatorConfig(seed=seed, faults=[FaultRule("server-error", 0.5)]))
        return [em.fault_engine.draw({"server-error"}, CREDIT) is not None for _ in range(64)]

    first = pattern(7)
    assert first == pattern(7)
    assert first != pattern(8)
    assert 10 < sum(first) < 54


def test_seeded_task_ids_repeat() -> None:
    ids = [Emulator(EmulatorConfig(seed=3)).new_id() for _ in range(2)]
    assert ids[0] == ids[1]
    assert len(ids[0]) == 32


def test_probability_zero_never_fires(kie_emulator: EmulatorHandle, client: httpx.Client) -> None:
    kie_emulator.set_fault("server-error", probability=0.0)
    for _ in range(5):
        assert ok_data(client.get(CREDIT)) == 10000
