"""Every installed model, every variant and input mode, end to end through the Client.

Runs with the real plugins (the nox `tests` session installs all of them): each mode is
generated against the emulator with local media files uploaded first, downloaded, checked to be
an MP4, and charged exactly once at the plugin's estimate.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from kie_emulator.testing import name_for_variant

from kie_core.client import Client, PollSchedule
from kie_core.models import DeprecatedModelWarning, Mode, ModelSpec, Variant
from kie_core.registry import Registry, default_registry
from kie_core.request import InputKind, VideoRequest

TWELVE = {
    "veo-3.1",
    "veo-3.1-fast",
    "sora-2",
    "kling-2.1-pro",
    "kling-2.5-turbo",
    "runway-gen3",
    "runway-aleph",
    "minimax",
    "hailuo-02",
    "wan-2.5",
    "seedance",
    "luma-modify",
}
DATA = files("kie_emulator") / "data"
AUDIO_URL = "https://example.com/kie-e2e/voice.mp3"


def _registry() -> Registry:
    registry = default_registry()
    if not {spec.name for spec in registry.specs()} >= TWELVE:
        pytest.skip("needs every shipped plugin installed (nox -s tests installs them)")
    return registry


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for spec in default_registry().specs():
        for variant in spec.variants:
            for mode in variant.modes:
                cases.append((spec.name, variant.name, mode.name))
    return cases or [("none", "none", "none")]


def _find(
    registry: Registry, model: str, variant: str, mode: str
) -> tuple[ModelSpec, Variant, Mode]:
    spec = registry.get(model).spec
    chosen = next(v for v in spec.variants if v.name == variant)
    return spec, chosen, next(m for m in chosen.modes if m.name == mode)


def _request(
    spec: ModelSpec, variant: Variant, mode: Mode, tmp: Path, source: str | None
) -> VideoRequest:
    image = tmp / "frame.png"
    image.write_bytes((DATA / "sample.png").read_bytes())
    video = tmp / "source.mp4"
    video.write_bytes((DATA / "sample.mp4").read_bytes())
    fields: dict[str, Any] = {}
    for kind in mode.requires:
        if kind is InputKind.FIRST_FRAME:
            fields["first_frame"] = str(image)
        elif kind is InputKind.LAST_FRAME:
            fields["last_frame"] = str(image)
        elif kind is InputKind.REFERENCE_IMAGES:
            fields["reference_images"] = (str(image),)
        elif kind is InputKind.VIDEO:
            fields["video"] = str(video)
        elif kind is InputKind.AUDIO:
            fields["audio"] = AUDIO_URL
        elif kind is InputKind.SOURCE_TASK:
            fields["extend_task_id"] = source
    name = name_for_variant(spec, variant) or spec.name
    return VideoRequest(model=name, prompt="a red fox runs through fresh snow", **fields)


def _client(kie_emulator: Any, registry: Registry) -> Client:
    return Client(
        kie_emulator.api_key,
        base_url=kie_emulator.base_url,
        upload_base_url=kie_emulator.base_url,
        registry=registry,
        journal=False,
        rate_limiter=False,
        poll=PollSchedule.fast(),
    )


def test_all_twelve_models_are_listed() -> None:
    registry = _registry()
    listed = {spec.name: spec for spec in registry.specs()}
    assert set(listed) >= TWELVE
    for name in TWELVE:
        summary = listed[name].summary()
        assert summary["durations"] or name in {"runway-aleph", "luma-modify"}
        assert summary["provider"]
    assert listed["sora-2"].deprecated is not None


@pytest.mark.parametrize(("model", "variant", "mode"), _cases())
def test_mode_runs_to_a_downloaded_mp4(
    model: str, variant: str, mode: str, kie_emulator: Any, tmp_path: Path
) -> None:
    registry = _registry()
    spec, chosen, chosen_mode = _find(registry, model, variant, mode)
    with _client(kie_emulator, registry) as client:
        source = None
        if InputKind.SOURCE_TASK in chosen_mode.requires:
            base_mode = next(m for m in chosen.modes if InputKind.SOURCE_TASK not in m.requires)
            base = client.generate(_request(spec, chosen, base_mode, tmp_path, None))
            source = base.task_id
        request = _request(spec, chosen, chosen_mode, tmp_path, source)
        estimate = client.prepare(request).estimated_credits
        before = len(kie_emulator.ledger)
        with pytest.warns(DeprecatedModelWarning) if spec.deprecated else nullcontext():
            video = client.generate(request)
        path = video.download(tmp_path / "out")
    assert path.read_bytes()[4:8] == b"ftyp"
    charges = [
        e for e in kie_emulator.ledger[before:] if e.kind == "charge" and e.task_id == video.task_id
    ]
    assert len(charges) == 1, json.dumps([str(c) for c in kie_emulator.ledger[before:]])
    assert estimate is not None
    assert charges[0].amount == pytest.approx(estimate)
