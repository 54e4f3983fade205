"""One planning path: a request is resolved and its payload built once per command.

The CLI plans a request (what ``--dry-run`` shows and the budget checks read) and hands that
same prepared request to the client, which sends it: nothing is resolved or built twice, even
with the journal on (its fingerprint reuses the built call) and with local files (their upload
URLs are put into the built call).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kie_core.families.market import MarketModel
from kie_core.models import ModelSpec
from tests.cli.conftest import SECRET_KEY
from tests.cli.emulated import assert_playable_mp4, charges


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often any model resolved a request and built a create call."""
    seen: Counter[str] = Counter()

    def counting(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen[name] += 1
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(ModelSpec, "resolve", counting("resolve", ModelSpec.resolve))
    monkeypatch.setattr(MarketModel, "build_call", counting("build", MarketModel.build_call))
    return seen


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    kie_emulator.configure(api_key=SECRET_KEY, task_seconds=0.2)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.1")
    return kie_emulator


def test_generate_resolves_and_builds_once(kie, emulated, counts, tmp_path):
    run = kie("generate", "cli-turbo", "a fox runs", "-d", "10", "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    assert_playable_mp4(Path(run.json()["path"]))
    assert len(charges(emulated)) == 1
    assert counts == {"resolve": 1, "build": 1}


def test_dry_run_resolves_and_builds_once(kie, counts):
    run = kie("generate", "cli-turbo", "a fox runs", "--dry-run", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["payload"]["input"]["prompt"] == "a fox runs"
    assert counts == {"resolve": 1, "build": 1}


def test_local_files_are_uploaded_into_the_call_built_once(kie, emulated, counts, tmp_path):
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG fake image")
    run = kie("generate", "cli-image", "a cat", "-i", str(image), "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    assert counts == {"resolve": 1, "build": 1}
    (task,) = emulated.tasks.values()
    sent = task.body["input"]["image_url"]
    assert sent.startswith(emulated.base_url) and sent.endswith("cat.png")
    assert str(tmp_path) not in json.dumps(task.body)


def test_batch_resolves_and_builds_each_line_once(kie, emulated, counts, tmp_path):
    batch = tmp_path / "jobs.jsonl"
    rows = [{"model": "cli-turbo", "prompt": "one"}, {"model": "cli-turbo", "prompt": "two"}]
    batch.write_text("".join(json.dumps(row) + "\n" for row in rows))
    run = kie("batch", str(batch), "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    assert [r["state"] for r in run.json()] == ["downloaded", "downloaded"]
    assert counts == {"resolve": 2, "build": 2}
