"""The shipped plugins through the CLI against the emulator: a Market and a dedicated model.

These run only where kie-kling and kie-veo are installed (the repository's test session installs
every plugin); the rest of the CLI suite uses its own test plugin.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kie_core.registry import Registry, entry_point_sources
from tests.cli.conftest import SECRET_KEY
from tests.cli.emulated import assert_playable_mp4, charges

pytest.importorskip("kie_kling")
pytest.importorskip("kie_veo")


@pytest.fixture(autouse=True)
def test_registry(monkeypatch):
    """The installed Kling and Veo plugins, found through their entry points."""
    from kie_core import registry as registry_module

    sources = [s for s in entry_point_sources() if s.name in ("kling", "veo")]
    registry = Registry(sources=sources)
    monkeypatch.setattr(registry_module, "default_registry", lambda: registry)
    return registry


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    kie_emulator.configure(api_key=SECRET_KEY)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.05")
    return kie_emulator


def test_kling_duration_7_is_refused_and_nothing_is_charged(kie, emulated):
    start = emulated.credits
    run = kie("generate", "kling-2.5-turbo", "x", "--duration", "7")
    assert run.exit_code == 2
    assert "duration 7" in run.stderr
    assert "5, 10" in run.stderr
    assert emulated.credits == start
    assert emulated.tasks == {}


def test_market_model_ends_with_a_playable_mp4(kie, emulated, tmp_path):
    run = kie("generate", "kling-2.5-turbo", "a fox runs through snow", "--duration", "5",
              "--aspect-ratio", "16:9", "-o", str(tmp_path), "--json")  # fmt: skip
    assert run.exit_code == 0, run.stderr
    assert_playable_mp4(Path(run.json()["path"]))
    assert len(charges(emulated)) == 1


def test_dedicated_model_ends_with_a_playable_mp4(kie, emulated, tmp_path):
    run = kie("generate", "veo-3.1-fast", "a paper boat drifts", "--aspect-ratio", "9:16",
              "-o", str(tmp_path), "--json")  # fmt: skip
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert emulated.tasks[result["task_id"]].family == "veo"
    assert_playable_mp4(Path(result["path"]))


def test_models_lists_the_installed_plugins(kie):
    models = {m["name"]: m for m in kie("models", "--json").json()}
    assert models["kling-2.5-turbo"]["provider"] == "kling"
    assert models["veo-3.1-fast"]["provider"] == "veo"
    assert 5 in models["kling-2.5-turbo"]["durations"]


def test_family_flag_reaches_a_dedicated_task_the_journal_does_not_know(kie, emulated, tmp_path):
    first = tmp_path / "first.sqlite3"
    other = tmp_path / "other.sqlite3"
    created = kie("--journal", str(first), "generate", "veo-3.1-fast", "a gull", "--no-wait")
    assert created.exit_code == 0, created.stderr
    task_id = created.stdout.strip()
    as_market = kie("--journal", str(other), "status", task_id)
    assert as_market.exit_code == 2  # unknown to the Market endpoint
    waited = kie("--journal", str(other), "wait", task_id, "--family", "veo", "--json")
    assert waited.exit_code == 0, waited.stderr
    assert waited.json()["state"] == "succeeded"
    got = kie("--journal", str(other), "download", task_id, "--family", "veo", "-o", str(tmp_path))
    assert got.exit_code == 0, got.stderr
    assert_playable_mp4(Path(got.stdout.strip()))


def test_a_dedicated_task_journals_its_charge_from_the_balance(kie, emulated, tmp_path):
    run = kie("generate", "veo-3.1-fast", "a paper boat", "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    task_id = run.json()["task_id"]
    assert run.json()["credits"] is None  # Veo's status does not say what it cost
    (entry,) = kie("tasks", "--json").json()
    charged = sum(e.amount for e in emulated.ledger if e.kind == "charge" and e.task_id == task_id)
    assert charged > 0 and entry["actual_credits"] == charged
    spend = kie("spend", "--json").json()
    assert spend["total"]["actual_credits"] == charged and spend["total"]["unreported"] == 0


def test_a_dedicated_task_beside_another_in_flight_leaves_its_charge_unreported(
    kie, emulated, tmp_path
):
    assert kie("generate", "kling-2.5-turbo", "elsewhere", "--no-wait").exit_code == 0
    run = kie("generate", "veo-3.1-fast", "a paper boat", "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    veo = next(e for e in kie("tasks", "--json").json() if e["model"] == "veo-3.1-fast")
    assert veo["actual_credits"] is None  # the balance may hold the other task's charge
