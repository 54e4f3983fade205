"""`kie batch`: malformed files refused before anything is sent; 50 requests end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import SECRET_KEY
from tests.cli.emulated import RejectionSpy, assert_playable_mp4, charges


@pytest.fixture
def emulated(kie_emulator, monkeypatch):
    kie_emulator.configure(api_key=SECRET_KEY)
    monkeypatch.setenv("KIE_API_KEY", SECRET_KEY)
    monkeypatch.setenv("KIE_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_UPLOAD_BASE_URL", kie_emulator.base_url)
    monkeypatch.setenv("KIE_POLL_INTERVAL", "0.1")
    return kie_emulator


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_malformed_json_line_names_the_line_and_sends_nothing(kie, emulated, tmp_path):
    batch = tmp_path / "jobs.jsonl"
    batch.write_text('{"model": "cli-turbo", "prompt": "a"}\n\n{"model": "cli-turbo", prompt}\n')
    run = kie("batch", str(batch))
    assert run.exit_code == 2
    assert "line 3" in run.stderr
    assert emulated.tasks == {}


def test_unsupported_value_on_a_line_names_line_field_and_accepted(kie, emulated, tmp_path):
    batch = write_jsonl(
        tmp_path / "jobs.jsonl",
        [
            {"model": "cli-turbo", "prompt": "ok"},
            {"model": "cli-turbo", "prompt": "bad", "duration": 7},
        ],
    )
    run = kie("batch", str(batch))
    assert run.exit_code == 2
    assert "line 2" in run.stderr and "duration" in run.stderr and "5, 10" in run.stderr
    assert emulated.tasks == {}
    assert not charges(emulated)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"model": "cli-turbo", "prompt": "x", "colour": "red"}, "colour"),
        ({"prompt": "x"}, "model"),
        ({"model": "cli-turbo", "prompt": "x", "duration": "five"}, "duration"),
        ({"model": "cli-turbo", "prompt": "x", "options": [1]}, "options"),
        ({"model": "nope", "prompt": "x"}, "model"),
        ({"model": "cli-image", "prompt": "x"}, "first_frame"),
        ({"model": "cli-image", "prompt": "x", "image": "missing.png"}, "image"),
        ({"model": "cli-turbo", "prompt": "x", "options": {"cfg": 1}}, "options.cfg"),
    ],
)
def test_every_kind_of_bad_line_is_named(kie, tmp_path, row, field):
    batch = write_jsonl(tmp_path / "jobs.jsonl", [{"model": "cli-turbo", "prompt": "ok"}, row])
    run = kie("batch", str(batch), "--dry-run")
    assert run.exit_code == 2, run.stdout
    assert "line 2" in run.stderr
    assert field in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_csv_bad_cell_names_the_row_line(kie, tmp_path):
    batch = tmp_path / "jobs.csv"
    batch.write_text("model,prompt,duration\ncli-turbo,ok,5\ncli-turbo,bad,x\n")
    run = kie("batch", str(batch), "--dry-run")
    assert run.exit_code == 2
    assert "line 3" in run.stderr and "duration" in run.stderr


def test_wrong_extension_and_empty_file(kie, tmp_path):
    other = tmp_path / "jobs.txt"
    other.write_text("x")
    assert kie("batch", str(other)).exit_code == 2
    empty = tmp_path / "jobs.jsonl"
    empty.write_text("\n# nothing\n")
    run = kie("batch", str(empty))
    assert run.exit_code == 2
    assert "no requests" in run.stderr
    assert kie("batch", str(tmp_path / "absent.jsonl")).exit_code == 2


def test_dry_run_plans_every_line_and_totals_the_estimate(kie, tmp_path):
    image = tmp_path / "frame.png"
    image.write_bytes(b"png")
    batch = tmp_path / "jobs.csv"
    batch.write_text(
        "model,prompt,duration,image,options\n"
        "cli-turbo,a fox,10,,\n"
        'cli-image,a cat,,frame.png,"{""cfg_scale"": 0.2}"\n'
    )
    run = kie("batch", str(batch), "--dry-run", "--json")
    assert run.exit_code == 0, run.stderr
    plan = run.json()
    assert plan["estimated_credits"] == 84 + 50
    first, second = plan["requests"]
    assert first["line"] == 2 and first["payload"]["input"]["duration"] == "10"
    assert second["payload"]["input"]["image_url"] == f"<upload: {image}>"
    assert second["payload"]["input"]["cfg_scale"] == 0.2
    table = kie("batch", str(batch), "--dry-run")
    assert "total: 134 credits" in table.stdout


def test_batch_max_credits_counts_the_whole_file(kie, emulated, tmp_path):
    batch = write_jsonl(tmp_path / "jobs.jsonl", [{"model": "cli-turbo", "prompt": "x"}] * 3)
    run = kie("batch", str(batch), "--max-credits", "100")
    assert run.exit_code == 3
    assert "126" in run.stderr
    assert emulated.tasks == {}


@pytest.mark.slow
def test_fifty_requests_all_downloaded_without_a_single_429(kie_process, kie_emulator, tmp_path):
    kie_emulator.configure(api_key=SECRET_KEY)
    spy = RejectionSpy()
    spy.wrap(kie_emulator.emulator.create_limiter, "create")
    spy.wrap(kie_emulator.emulator.query_limiter, "query")
    rows = [
        {"model": "cli-turbo", "prompt": f"scene {n}", "duration": 5 if n % 2 else 10}
        for n in range(50)
    ]
    batch = write_jsonl(tmp_path / "jobs.jsonl", rows)
    out = tmp_path / "videos"
    start = kie_emulator.credits
    run = kie_process(
        "batch", str(batch), "-c", "20", "-o", str(out),
        env={
            "KIE_API_KEY": SECRET_KEY,
            "KIE_BASE_URL": kie_emulator.base_url,
            "KIE_UPLOAD_BASE_URL": kie_emulator.base_url,
        },
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    assert spy.refused == []
    videos = sorted(out.glob("*.mp4"))
    assert len(videos) == 50
    for video in videos:
        assert_playable_mp4(video)
    assert len(kie_emulator.tasks) == 50
    assert len(charges(kie_emulator)) == 50
    assert start - kie_emulator.credits == 25 * 42 + 25 * 84
    assert "Batch summary" in run.stdout
    for task_id in kie_emulator.tasks:
        assert task_id in run.stdout
    assert "50/50 downloaded" in run.stderr


def test_batch_json_summary_and_a_failed_line(kie, emulated, tmp_path):
    emulated.set_fault("task-fail", times=1)
    batch = write_jsonl(
        tmp_path / "jobs.jsonl",
        [{"model": "cli-turbo", "prompt": "one"}, {"model": "cli-turbo", "prompt": "two"}],
    )
    run = kie("batch", str(batch), "-o", str(tmp_path), "--json", "-c", "1")
    assert run.exit_code == 1, run.stderr
    results = run.json()
    assert [r["line"] for r in results] == [1, 2]
    states = sorted(r["state"] for r in results)
    assert states == ["downloaded", "failed"]
    done = next(r for r in results if r["state"] == "downloaded")
    assert_playable_mp4(Path(done["path"]))
    failed = next(r for r in results if r["state"] == "failed")
    assert failed["task_id"] in emulated.tasks and failed["error"]


def test_batch_stops_sending_once_the_balance_runs_out(kie, emulated, tmp_path, monkeypatch):
    from kie_core import registry as registry_module
    from kie_core.families.market import MarketModel
    from kie_core.hookspecs import hookimpl
    from kie_core.models import PriceRow
    from kie_core.registry import PluginSource
    from tests.cli.conftest import make_registry
    from tests.cli.fake_plugin import TURBO

    # Priced far below what the emulator charges, so the up-front balance check passes.
    mode = TURBO.spec.variants[0].modes[0].model_copy(update={"prices": (PriceRow(credits=1),)})
    variant = TURBO.spec.variants[0].model_copy(update={"modes": (mode,)})
    cheap = MarketModel(
        TURBO.spec.model_copy(update={"name": "cli-cheap", "aliases": (), "variants": (variant,)})
    )

    class CheapPlugin:
        @hookimpl
        def kie_register_models(self, register):
            register(cheap)

    registry = make_registry(PluginSource(name="cheap", load=CheapPlugin))
    monkeypatch.setattr(registry_module, "default_registry", lambda: registry)
    emulated.credits = 50
    batch = write_jsonl(
        tmp_path / "jobs.jsonl", [{"model": "cli-cheap", "prompt": f"p{n}"} for n in range(3)]
    )
    run = kie("batch", str(batch), "-c", "1", "-o", str(tmp_path), "--json")
    assert run.exit_code == 3, run.stderr
    first, second, third = run.json()
    assert first["state"] == "downloaded"
    assert second["state"] == "error" and "402" in second["error"]
    assert third["state"] == "skipped" and "line 2" in third["error"]
    assert len(emulated.tasks) == 1
