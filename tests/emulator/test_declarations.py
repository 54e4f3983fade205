"""The emulator learns models from declarations alone: validation, rules, prices, routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from kie_emulator.app import create_app
from kie_emulator.config import EmulatorConfig
from kie_emulator.envelope import UNKNOWN_MODEL_MSG
from kie_emulator.state import Emulator

from kie_core.emulation import (
    BilledSeconds,
    EndpointSchema,
    Forbidden,
    InputField,
    ItemCount,
    Price,
    RequiredWithout,
)

from .conftest import err, ok_data

KEY = "declared-key"
CREATE = "/api/v1/jobs/createTask"
RECORD = "/api/v1/jobs/recordInfo"
URL = "https://example.com/a.png"

#: A Market model no plugin ships, declared here only.
MARKET = EndpointSchema(
    "nowhere/clip-1",
    (
        InputField("prompt", "string", required=True, min_length=2, max_length=50),
        InputField("duration", "string", enum=("5", "10"), default="5"),
        InputField("resolution", "string", enum=("720p", "1080p"), default="720p"),
        InputField("frames", "url_list", max_items=3),
        InputField("mode", "string", enum=("a", "b"), default="a"),
        InputField("style", "string"),
        InputField("image", "url"),
    ),
    prices=(
        Price(30, when={"duration": "10", "resolution": ("720p", "1080p")}),
        Price(12, when={"resolution": "1080p"}),
        Price(10),
    ),
    rules=(
        Forbidden({"duration": "10", "resolution": "1080p"}, "input.duration: not at 1080p"),
        ItemCount("frames", 1, 3, "input.frames: mode b needs 1 to 3", when={"mode": "b"}),
        RequiredWithout("style", "image", "input.style: required without an image"),
    ),
    watermarked=True,
)

#: A per-second model whose length follows frames / fps.
PER_SECOND = EndpointSchema(
    "nowhere/frames-1",
    (
        InputField("prompt", "string", required=True),
        InputField("num_frames", "integer", minimum=8, maximum=120, default=80),
        InputField("fps", "number", minimum=1, maximum=60, default=16),
    ),
    prices=(Price(3, per_second=True),),
    seconds=BilledSeconds(frames="num_frames", fps="fps"),
)

#: A dedicated route on the Luma status protocol.
DEDICATED = EndpointSchema(
    "nowhere-edit",
    (InputField("prompt", "string", required=True), InputField("videoUrl", "url", required=True)),
    prices=(Price(7),),
    route="/api/v1/nowhere/edit",
    protocol="luma",
)


@pytest.fixture
async def declared() -> AsyncIterator[tuple[httpx.AsyncClient, Emulator]]:
    em = Emulator(
        EmulatorConfig(api_key=KEY, task_seconds=100), emulations=(MARKET, PER_SECOND, DEDICATED)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(emulator=em)),
        base_url="http://kie.test",
        headers={"Authorization": f"Bearer {KEY}"},
    ) as client:
        yield client, em


def market(model: str, **data: Any) -> dict[str, Any]:
    return {"model": model, "input": data}


@pytest.mark.parametrize(
    ("data", "credits"),
    [
        ({"prompt": "hi", "style": "x"}, 10),
        ({"prompt": "hi", "style": "x", "resolution": "1080p"}, 12),
        ({"prompt": "hi", "image": URL, "duration": "10"}, 30),
        ({"prompt": "hi", "style": "x", "mode": "b", "frames": [URL]}, 10),
    ],
)
async def test_a_declared_model_is_served_and_charged_its_first_matching_price(
    declared: tuple[httpx.AsyncClient, Emulator], data: dict[str, Any], credits: float
) -> None:
    client, em = declared
    task_id = ok_data(await client.post(CREATE, json=market(MARKET.model, **data)))["taskId"]
    assert em.ledger[-1].amount == credits
    em.advance(101)
    record = ok_data(await client.get(RECORD, params={"taskId": task_id}))
    assert record["creditsConsumed"] == credits
    assert "resultWaterMarkUrls" in record["resultJson"]  # declared watermarked
    assert "progress" not in record  # not declared


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"style": "x"}, "input.prompt: This field is required"),
        ({"prompt": "h", "style": "x"}, "input.prompt: must be at least 2 characters"),
        ({"prompt": "h" * 51, "style": "x"}, "input.prompt: must be at most 50 characters"),
        ({"prompt": "hi", "style": "x", "duration": 5}, "input.duration"),
        ({"prompt": "hi", "style": "x", "frames": [URL] * 4}, "at most 3 item(s)"),
        ({"prompt": "hi", "style": "x", "odd": 1}, 'input.odd: unknown parameter "odd"'),
        ({"prompt": "hi", "style": "x", "image": "ftp://x"}, "input.image: must be an http(s)"),
        ({"prompt": "hi", "style": "x", "duration": "10", "resolution": "1080p"}, "not at 1080p"),
        ({"prompt": "hi", "style": "x", "mode": "b"}, "mode b needs 1 to 3"),
        ({"prompt": "hi"}, "input.style: required without an image"),
    ],
)
async def test_the_declaration_alone_decides_what_is_refused(
    declared: tuple[httpx.AsyncClient, Emulator], data: dict[str, Any], needle: str
) -> None:
    client, em = declared
    assert needle in err(await client.post(CREATE, json=market(MARKET.model, **data)), 422)
    assert em.ledger == []


async def test_per_second_prices_bill_the_declared_length(
    declared: tuple[httpx.AsyncClient, Emulator],
) -> None:
    client, em = declared
    ok_data(await client.post(CREATE, json=market(PER_SECOND.model, prompt="p")))
    ok_data(await client.post(CREATE, json=market(PER_SECOND.model, prompt="p", num_frames=24)))
    assert [e.amount for e in em.ledger] == [15.0, 4.5]  # 80/16 s and 24/16 s at 3 per second


async def test_an_undeclared_model_gets_kies_answer(
    declared: tuple[httpx.AsyncClient, Emulator],
) -> None:
    client, _ = declared
    body = market("kling/v2-5-turbo-text-to-video-pro", prompt="p")
    assert err(await client.post(CREATE, json=body), 422) == UNKNOWN_MODEL_MSG


async def test_a_declared_dedicated_route_speaks_its_protocol(
    declared: tuple[httpx.AsyncClient, Emulator],
) -> None:
    client, em = declared
    body = {"prompt": "p", "videoUrl": URL, "callBackUrl": "https://example.com/cb"}
    task_id = ok_data(await client.post(DEDICATED.route, json=body))["taskId"]
    assert em.ledger[-1].amount == 7
    assert em.tasks[task_id].model == "nowhere-edit"
    em.advance(101)
    record = ok_data(await client.get("/api/v1/modify/record-info", params={"taskId": task_id}))
    assert record["successFlag"] == 1
    assert record["response"]["resultUrls"]
    assert "unknown parameter" in err(
        await client.post(DEDICATED.route, json={**body, "x": 1}), 422
    )
    # Routes nobody declares are not served, and are not counted as creates.
    assert err(await client.post("/api/v1/veo/generate", json={"prompt": "p"}), 404, 404)
    assert em.catalog.create_paths == frozenset({CREATE, DEDICATED.route})


def test_the_state_lists_the_served_models() -> None:
    em = Emulator(EmulatorConfig(), emulations=(MARKET, PER_SECOND, DEDICATED))
    assert em.snapshot()["models"] == {
        "market": ["nowhere/clip-1", "nowhere/frames-1"],
        "routes": ["/api/v1/nowhere/edit"],
    }


def test_an_unknown_protocol_is_refused_when_the_app_is_built() -> None:
    odd = EndpointSchema("odd", (), (), route="/api/v1/odd", protocol="odd")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown status protocol 'odd'"):
        create_app(emulator=Emulator(EmulatorConfig(), emulations=(odd,)))
