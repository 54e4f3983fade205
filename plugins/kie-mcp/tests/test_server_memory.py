"""The server driven in memory through the SDK's own client, against the emulator."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import mcp_types as types
import pytest
from kie_emulator.pytest_plugin import EmulatorHandle
from kie_mcp.config import McpConfig
from kie_mcp.server import build_server
from kie_mcp.service import KieService
from kie_mcp.tools import input_schema_size, schema_size
from kie_mcp_support import MODEL, assert_mp4, charges, connect, data, request
from mcp import Client

ConfigFactory = Callable[..., McpConfig]

DOCS = Path(__file__).resolve().parents[3] / "docs" / "mcp.md"


async def test_the_tool_list_is_seven_small_strict_tools(make_config: ConfigFactory) -> None:
    async with connect(make_config()) as client:
        listed = (await client.list_tools()).tools
    names = [tool.name for tool in listed]
    assert names == ["models", "estimate", "generate", "tasks", "collect", "credits", "spend"]
    for tool in listed:
        assert tool.description and len(tool.description) > 80
        assert tool.input_schema["type"] == "object"
        assert tool.input_schema["additionalProperties"] is False
    size, tokens = schema_size(listed)
    schemas = input_schema_size(listed)
    print(f"tool list: {size} bytes, ~{tokens} tokens; input schemas {schemas} bytes")
    assert size < 8000
    # The figure in the documentation is the measured one.
    docs = DOCS.read_text(encoding="utf-8")
    assert f"{size} bytes" in docs
    assert f"{tokens} tokens" in docs
    assert f"{schemas} bytes of input schemas" in docs


async def test_models_lists_only_the_allowed_models_with_prices(
    make_config: ConfigFactory,
) -> None:
    async with connect(make_config()) as client:
        listed = data(await client.call_tool("models", {}))["models"]
    assert [model["name"] for model in listed] == [MODEL]
    assert listed[0]["durations"] == [5, 10]
    assert listed[0]["options"] == ["cfg_scale"]
    assert listed[0]["inputs"] == ["prompt", "first_frame", "last_frame"]
    assert "42" in listed[0]["credits"]


async def test_estimate_prices_requests_and_sends_nothing(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    async with connect(make_config()) as client:
        result = data(
            await client.call_tool(
                "estimate",
                {"requests": [request("a fox", duration=10), request("a cat", duration=7)]},
            )
        )
    good, bad = result["items"]
    assert good["ok"] is True
    assert good["estimated_credits"] == 84
    assert bad["ok"] is False
    assert bad["error"]["field"] == "duration"
    assert bad["error"]["accepted"] == [5, 10]
    assert result["new_credits"] == 84
    assert result["caps"]["per_call"] == 500
    assert kie_emulator.tasks == {}
    assert charges(kie_emulator) == []


@pytest.mark.kie_emulator(task_seconds=1.0)
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_generate_three_wait_with_progress_collect_three_mp4s_each_charged_once(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle, tmp_path: Path, mode: str
) -> None:
    prompts = ["a red fox in snow", "a paper boat on a rainy street", "a lighthouse at dusk"]
    updates: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total, message))

    async with connect(make_config(), mode) as client:
        started = data(
            await client.call_tool("generate", {"requests": [request(p) for p in prompts]})
        )
        items = started["items"]
        assert [item["followed"] for item in items] == [False, False, False]
        assert all(item["state"] == "created" for item in items)
        task_ids = [item["task_id"] for item in items]
        waited = data(
            await client.call_tool(
                "tasks", {"ids": task_ids, "wait_seconds": 30}, progress_callback=on_progress
            )
        )
        assert waited["still_running"] == 0
        assert {task["state"] for task in waited["tasks"]} == {"succeeded"}
        collected = await client.call_tool(
            "collect", {"ids": [item["entry_id"] for item in items], "resources": True}
        )
        links = [block for block in collected.content if isinstance(block, types.ResourceLink)]
        first = await client.read_resource(links[0].uri)
    assert updates, "no progress notification arrived while waiting"
    assert all(total == 30 for _, total, _ in updates)
    assert [p for p, _, _ in updates] == sorted(p for p, _, _ in updates)
    files = [Path(f) for item in data(collected)["items"] for f in item["files"]]
    assert len(files) == 3
    for path in files:
        assert path.parent == (tmp_path / "videos").resolve()
        assert_mp4(path)
    assert len(links) == 3
    assert links[0].mime_type == "video/mp4"
    blob = first.contents[0]
    assert isinstance(blob, types.BlobResourceContents)
    assert base64.b64decode(blob.blob)[4:8] == b"ftyp"
    charged = charges(kie_emulator)
    assert sorted(entry.task_id for entry in charged) == sorted(task_ids)


async def test_a_restarted_server_follows_the_existing_task(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    config = make_config()
    async with connect(config) as client:
        first = data(await client.call_tool("generate", {"requests": [request("a slow tide")]}))
    async with connect(config) as client:  # a new server process would do the same
        again = data(await client.call_tool("generate", {"requests": [request("a slow tide")]}))
        estimate = data(await client.call_tool("estimate", {"requests": [request("a slow tide")]}))
    assert again["items"][0]["task_id"] == first["items"][0]["task_id"]
    assert again["items"][0]["entry_id"] == first["items"][0]["entry_id"]
    assert again["items"][0]["followed"] is True
    assert again["new_credits"] == 0
    assert estimate["items"][0]["follows"] == first["items"][0]["entry_id"]
    assert estimate["new_credits"] == 0
    assert len(charges(kie_emulator)) == 1


async def test_identical_requests_in_one_call_are_paid_once(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    async with connect(make_config()) as client:
        result = data(
            await client.call_tool("generate", {"requests": [request("twice"), request("twice")]})
        )
    first, second = result["items"]
    assert second["task_id"] == first["task_id"]
    assert second["followed"] is True
    assert result["new_credits"] == 42
    assert len(charges(kie_emulator)) == 1


async def test_a_request_over_the_call_cap_is_refused_and_nothing_sent(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    async with connect(make_config(max_call_credits=100)) as client:
        result = await client.call_tool(
            "generate", {"requests": [request("one", duration=10), request("two", duration=10)]}
        )
    assert result.is_error
    error = data(result)["error"]
    assert error["category"] == "over_cap"
    assert error["scope"] == "call"
    assert error["cap"] == 100
    assert error["value"] == 168
    assert error["retryable"] is False
    assert error["next_step"]
    assert kie_emulator.tasks == {}
    assert charges(kie_emulator) == []


async def test_the_daily_cap_counts_what_the_journal_committed_today(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    async with connect(make_config(daily_credits=100)) as client:
        assert not (await client.call_tool("generate", {"requests": [request("a")]})).is_error
        assert not (await client.call_tool("generate", {"requests": [request("b")]})).is_error
        refused = await client.call_tool("generate", {"requests": [request("c")]})
        caps = data(await client.call_tool("credits", {}))["caps"]
    error = data(refused)["error"]
    assert error["category"] == "over_cap"
    assert error["scope"] == "day"
    assert error["committed_today"] == 84
    assert caps["committed_today"] == 84
    assert caps["daily_remaining"] == 16
    assert len(charges(kie_emulator)) == 2


async def test_a_request_over_the_live_balance_is_refused_before_sending(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    kie_emulator.credits = 50
    async with connect(make_config()) as client:
        result = await client.call_tool("generate", {"requests": [request("a"), request("b")]})
    error = data(result)["error"]
    assert result.is_error
    assert error["category"] == "insufficient_credits"
    assert error["balance"] == 50
    assert kie_emulator.tasks == {}


async def test_an_invalid_duration_refuses_the_whole_call(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    async with connect(make_config()) as client:
        result = await client.call_tool(
            "generate", {"requests": [request("fine"), request("too long", duration=7)]}
        )
    error = data(result)["error"]
    assert result.is_error
    assert error == {
        "category": "invalid_input",
        "retryable": False,
        "message": "duration 7 is not supported by kling-2.5-turbo; accepted: 5, 10 s",
        "next_step": error["next_step"],
        "field": "duration",
        "value": 7,
        "accepted": [5, 10],
        "index": 1,
    }
    assert kie_emulator.tasks == {}
    assert charges(kie_emulator) == []


@pytest.mark.parametrize("folder", ["../outside", "/etc", "sub/../../escape"])
async def test_a_folder_outside_the_output_folder_is_refused(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle, tmp_path: Path, folder: str
) -> None:
    async with connect(make_config()) as client:
        started = data(await client.call_tool("generate", {"requests": [request("x")]}))
        task_id = started["items"][0]["task_id"]
        await client.call_tool("tasks", {"ids": [task_id], "wait_seconds": 10})
        result = await client.call_tool("collect", {"ids": [task_id], "folder": folder})
    error = data(result)["error"]
    assert result.is_error
    assert error["category"] == "invalid_input"
    assert error["field"] == "folder"
    assert error["accepted"] == [str((tmp_path / "videos").resolve())]
    assert not list(tmp_path.glob("*.mp4"))
    assert not (tmp_path / "outside").exists()
    assert len(charges(kie_emulator)) == 1


async def test_collect_into_a_sub_folder_and_again_without_downloading_twice(
    make_config: ConfigFactory, tmp_path: Path
) -> None:
    async with connect(make_config()) as client:
        started = data(await client.call_tool("generate", {"requests": [request("y")]}))
        task_id = started["items"][0]["task_id"]
        await client.call_tool("tasks", {"ids": [task_id], "wait_seconds": 10})
        first = data(await client.call_tool("collect", {"ids": [task_id], "folder": "day1"}))
        second = data(await client.call_tool("collect", {"ids": [task_id]}))
    path = Path(first["items"][0]["files"][0])
    assert path.parent == (tmp_path / "videos" / "day1").resolve()
    assert second["items"][0]["files"] == [str(path)]
    assert_mp4(path)


async def test_collect_of_an_unfinished_task_says_to_wait(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    kie_emulator.configure(task_seconds=60)
    async with connect(make_config()) as client:
        started = data(await client.call_tool("generate", {"requests": [request("z")]}))
        result = data(await client.call_tool("collect", {"ids": [started["items"][0]["task_id"]]}))
    error = result["items"][0]["error"]
    assert error["category"] == "download_failed"
    assert error["retryable"] is True


async def test_local_inputs_outside_the_allowed_folders_are_refused(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    async with connect(make_config()) as client:
        result = await client.call_tool(
            "generate", {"requests": [request("move", first_frame=str(secret))]}
        )
    error = data(result)["error"]
    assert error["category"] == "invalid_input"
    assert error["field"] == "first_frame"
    assert kie_emulator.tasks == {}


async def test_local_inputs_in_the_output_folder_are_uploaded_first(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    folder = tmp_path / "videos"
    folder.mkdir()
    sample = files("kie_emulator") / "data" / "sample.png"
    (folder / "frame.png").write_bytes(sample.read_bytes())
    async with connect(make_config()) as client:
        result = data(
            await client.call_tool(
                "generate", {"requests": [request("bring it to life", first_frame="frame.png")]}
            )
        )
    task = kie_emulator.tasks[result["items"][0]["task_id"]]
    assert str(folder) not in json.dumps(task.body)
    assert task.body["input"]["image_url"].startswith(kie_emulator.base_url)
    assert len(charges(kie_emulator)) == 1


async def test_models_outside_the_allowed_list_are_refused(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    async with connect(make_config()) as client:
        result = await client.call_tool(
            "generate", {"requests": [{"model": "kling-2.1-master", "prompt": "x"}]}
        )
        unknown = await client.call_tool("estimate", {"requests": [request("x") | {"model": "v9"}]})
    error = data(result)["error"]
    assert error["category"] == "invalid_input"
    assert error["field"] == "model"
    assert error["accepted"] == [MODEL]
    assert data(unknown)["items"][0]["error"]["accepted"] == [MODEL]
    assert kie_emulator.tasks == {}


async def test_a_bounded_wait_returns_with_tasks_still_running(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    kie_emulator.configure(task_seconds=600)
    async with connect(make_config()) as client:
        await client.call_tool("generate", {"requests": [request("long")]})
        result = data(await client.call_tool("tasks", {"wait_seconds": 0.5}))
    assert result["still_running"] == 1
    assert result["tasks"][0]["state"] in ("created", "running")
    assert "next_step" in result


async def test_a_status_read_that_hangs_does_not_block_the_call(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    config = make_config()

    def quick(cfg: McpConfig) -> KieService:
        service = KieService(cfg)
        service.read_bound = 0.5
        return service

    kie_emulator.configure(task_seconds=600, slow_seconds=3)
    async with Client(build_server(config, service_factory=quick)) as client:
        started = data(await client.call_tool("generate", {"requests": [request("stuck")]}))
        kie_emulator.set_fault("slow", paths=["/api/v1/jobs/recordInfo"])
        result = data(await client.call_tool("tasks", {"ids": [started["items"][0]["task_id"]]}))
    assert result["still_running"] == 1
    assert result["tasks"][0]["state"] == "created"


async def test_two_agents_sharing_a_journal_pay_once(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    config = make_config()
    async with connect(config) as first, connect(config) as second:
        results = await asyncio.gather(
            first.call_tool("generate", {"requests": [request("shared")]}),
            second.call_tool("generate", {"requests": [request("shared")]}),
        )
    items = [data(result)["items"][0] for result in results]
    assert len(charges(kie_emulator)) == 1
    assert items[0]["task_id"] == items[1]["task_id"]
    assert sorted(item["followed"] for item in items) == [False, True]


async def test_unknown_ids_and_bad_arguments_are_structured(make_config: ConfigFactory) -> None:
    async with connect(make_config()) as client:
        unknown = data(await client.call_tool("tasks", {"ids": [999]}))
        too_long = await client.call_tool("tasks", {"wait_seconds": 600})
        extra = await client.call_tool("spend", {"days": 7, "verbose": True})
    assert unknown["tasks"][0]["error"]["field"] == "ids"
    assert data(too_long)["error"]["field"] == "wait_seconds"
    assert data(extra)["error"]["field"] == "verbose"


async def test_the_api_key_is_never_in_a_tool_result(
    make_config: ConfigFactory, kie_emulator: EmulatorHandle
) -> None:
    key = kie_emulator.api_key
    results: list[types.CallToolResult] = []
    async with connect(make_config()) as client:
        results.append(await client.call_tool("models", {}))
        results.append(await client.call_tool("credits", {}))
        started = await client.call_tool("generate", {"requests": [request("k")]})
        results.append(started)
        task_id = data(started)["items"][0]["task_id"]
        results.append(await client.call_tool("tasks", {"ids": [task_id], "wait_seconds": 10}))
        results.append(await client.call_tool("collect", {"ids": [task_id]}))
        results.append(await client.call_tool("spend", {}))
        results.append(await client.call_tool("estimate", {"requests": [request(key)]}))
    wrong = "wrong-key-never-shown-1234"
    async with connect(make_config(api_key=wrong)) as client:
        refused = await client.call_tool("credits", {})
    assert data(refused)["error"]["category"] == "authentication"
    for result in [*results, refused]:
        text = result.model_dump_json()
        assert wrong not in text
        assert key not in text


async def test_spend_reports_the_journal_per_day_and_model(make_config: ConfigFactory) -> None:
    async with connect(make_config()) as client:
        await client.call_tool("generate", {"requests": [request("s1"), request("s2")]})
        summary = data(await client.call_tool("spend", {"days": 1}))
    (row,) = summary["rows"]
    assert row["model"] == MODEL
    assert row["tasks"] == 2
    assert row["estimated_credits"] == 84
    assert summary["total_estimated"] == 84
