"""`kie generate` checks that need no network: bad input, --dry-run, budgets, secrets."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import SECRET_KEY


def test_dry_run_prints_endpoint_payload_and_estimate_without_a_key(kie):
    run = kie("generate", "cli-turbo", "a fox runs", "--duration", "10", "--dry-run")
    assert run.exit_code == 0, run.stderr
    assert "endpoint: POST /api/v1/jobs/createTask" in run.stdout
    assert '"model": "kling/v2-5-turbo-text-to-video-pro"' in run.stdout
    assert '"duration": "10"' in run.stdout
    assert "estimate: 84 credits" in run.stdout
    assert "nothing was sent" in run.stderr


def test_dry_run_json_is_the_exact_create_body(kie):
    run = kie(
        "generate", "ct", "a fox runs", "-a", "9:16", "--negative-prompt", "blur",
        "--option", "cfg_scale=0.7", "--callback-url", "https://example.com/hook",
        "--dry-run", "--json",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    plan = run.json()
    assert plan["dry_run"] is True
    assert plan["endpoint"] == {"method": "POST", "path": "/api/v1/jobs/createTask", "host": "api"}
    assert plan["payload"] == {
        "model": "kling/v2-5-turbo-text-to-video-pro",
        "callBackUrl": "https://example.com/hook",
        "input": {
            "prompt": "a fox runs",
            "duration": "5",
            "aspect_ratio": "9:16",
            "negative_prompt": "blur",
            "cfg_scale": 0.7,
        },
    }
    assert plan["estimated_credits"] == 42
    assert plan["model"] == "cli-turbo"
    assert plan["mode"] == "text-to-video"


def test_dry_run_shows_local_files_as_upload_placeholders(kie, tmp_path):
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG fake")
    end = tmp_path / "end.png"
    end.write_bytes(b"\x89PNG fake")
    run = kie(
        "generate", "cli-turbo", "the cat jumps", "--image", str(image), "--image", str(end),
        "--dry-run", "--json",
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    plan = run.json()
    assert plan["kie_model"] == "kling/v2-5-turbo-image-to-video-pro"
    assert plan["payload"]["input"]["image_url"] == f"<upload: {image}>"
    assert plan["payload"]["input"]["tail_image_url"] == f"<upload: {end}>"
    assert plan["uploads"] == [str(image), str(end)]


def test_remote_image_is_sent_as_is(kie):
    url = "https://example.com/cat.png"
    plan = kie("generate", "cli-image", "go", "--image", url, "--dry-run", "--json").json()
    assert plan["payload"]["input"]["image_url"] == url
    assert plan["uploads"] == []


def test_unsupported_duration_names_the_value_and_the_accepted_ones(kie):
    run = kie("generate", "cli-turbo", "x", "--duration", "7")
    assert run.exit_code == 2
    assert "duration 7" in run.stderr
    assert "5, 10" in run.stderr
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1


def test_unsupported_aspect_ratio(kie):
    run = kie("generate", "cli-turbo", "x", "--aspect-ratio", "4:3")
    assert run.exit_code == 2
    assert "aspect_ratio '4:3'" in run.stderr
    assert "16:9, 9:16, 1:1" in run.stderr


def test_unknown_model_lists_the_installed_models(kie):
    run = kie("generate", "no-such-model", "x")
    assert run.exit_code == 2
    assert "unknown model 'no-such-model'" in run.stderr
    for name in ("cli-turbo", "cli-image", "cli-old"):
        assert name in run.stderr


def test_image_only_model_without_an_image_is_refused(kie):
    run = kie("generate", "cli-image", "x")
    assert run.exit_code == 2
    assert "first_frame" in run.stderr


def test_missing_local_file_names_the_flag_and_the_path(kie, tmp_path):
    missing = tmp_path / "nope.png"
    run = kie("generate", "cli-image", "x", "--image", str(missing))
    assert run.exit_code == 2
    assert "--image" in run.stderr
    assert str(missing) in run.stderr
    assert "no such file" in run.stderr


def test_directory_given_as_a_file_is_refused(kie, tmp_path):
    run = kie("generate", "cli-image", "x", "--image", str(tmp_path))
    assert run.exit_code == 2
    assert "not a file" in run.stderr


def test_unreadable_local_file(kie, tmp_path, monkeypatch):
    from kie_core import request as request_module

    locked = tmp_path / "locked.png"
    locked.write_bytes(b"x")
    # Root reads any file whatever its mode, so the permission check itself is simulated.
    monkeypatch.setattr(request_module.os, "access", lambda path, mode: Path(path) != locked)
    run = kie("generate", "cli-image", "x", "--image", str(locked))
    assert run.exit_code == 2
    assert "permission denied" in run.stderr


def test_too_many_images_suggests_reference_images(kie):
    run = kie(
        "generate", "cli-turbo", "x", "-i", "https://a/1.png", "-i", "https://a/2.png",
        "-i", "https://a/3.png", "--dry-run",
    )  # fmt: skip
    assert run.exit_code == 2
    assert "--reference-image" in run.stderr


def test_option_values_are_read_as_json_and_unknown_options_refused(kie):
    plan = kie("generate", "cli-turbo", "x", "-O", "cfg_scale=1", "--dry-run", "--json").json()
    assert plan["payload"]["input"]["cfg_scale"] == 1
    run = kie("generate", "cli-turbo", "x", "-O", "cfg=0.5", "--dry-run")
    assert run.exit_code == 2
    assert "no option 'cfg'" in run.stderr
    assert "cfg_scale" in run.stderr
    run = kie("generate", "cli-turbo", "x", "-O", "cfg_scale", "--dry-run")
    assert run.exit_code == 2
    assert "KEY=VALUE" in run.stderr


def test_option_out_of_range(kie):
    run = kie("generate", "cli-turbo", "x", "-O", "cfg_scale=3", "--dry-run")
    assert run.exit_code == 2
    assert "cfg_scale" in run.stderr


def test_bad_callback_url(kie):
    run = kie("generate", "cli-turbo", "x", "--callback-url", "ftp://nope", "--dry-run")
    assert run.exit_code == 2
    assert "callback_url" in run.stderr


def test_prompt_over_the_limit(kie):
    run = kie("generate", "cli-turbo", "x" * 2501, "--dry-run")
    assert run.exit_code == 2
    assert "2501 characters" in run.stderr


def test_usage_error_exits_2(kie):
    run = kie("generate", "cli-turbo", "x", "--duration", "five")
    assert run.exit_code == 2
    run = kie("generate")
    assert run.exit_code == 2


def test_max_credits_refuses_before_anything_is_sent(kie):
    # No key and no base URL: were anything sent, the run would fail on configuration instead.
    run = kie("generate", "cli-turbo", "x", "--duration", "10", "--max-credits", "50")
    assert run.exit_code == 3
    assert "84" in run.stderr and "--max-credits 50" in run.stderr


def test_deprecated_model_is_flagged_before_spending(kie):
    run = kie("generate", "cli-old", "x", "--dry-run")
    assert run.exit_code == 0
    assert "warning: cli-old is deprecated since 2026-09-24" in run.stderr
    assert '"n_frames": "10"' in run.stdout
    assert '"aspect_ratio": "landscape"' in run.stdout


def test_the_key_is_never_shown(kie, tmp_path):
    run = kie("--api-key", SECRET_KEY, "generate", "cli-turbo", "x", "--dry-run", "--json")
    assert run.exit_code == 0
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{SECRET_KEY}"\n')
    run = kie("generate", "cli-turbo", "x", "--duration", "7", env={"KIE_CONFIG": str(config)})
    assert run.exit_code == 2


def test_malformed_config_file_is_bad_input(kie, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('api_kee = "x"\n')
    run = kie("models", env={"KIE_CONFIG": str(config)})
    assert run.exit_code == 2
    assert "api_kee" in run.stderr
    config.write_text("not toml [")
    run = kie("models", env={"KIE_CONFIG": str(config)})
    assert run.exit_code == 2
    assert "not valid TOML" in run.stderr


def test_json_output_is_pure_and_messages_go_to_stderr(kie):
    run = kie("generate", "cli-turbo", "x", "--dry-run", "--json")
    assert json.loads(run.stdout)["dry_run"] is True
    assert "nothing was sent" in run.stderr
    quiet = kie("--quiet", "generate", "cli-turbo", "x", "--dry-run", "--json")
    assert json.loads(quiet.stdout) == run.json()
    assert quiet.stderr == ""


def test_emulator_flag_runs_offline_and_leaves_the_journal_alone(kie, tmp_path, cli_env):
    from tests.cli.emulated import assert_playable_mp4

    run = kie("generate", "cli-turbo", "a fox", "--emulator", "-o", str(tmp_path), "--json")
    assert run.exit_code == 0, run.stderr
    assert "offline KIE emulator" in run.stderr
    assert_playable_mp4(Path(run.json()["path"]))
    assert kie("tasks", "--json").json() == []


def test_emulator_flag_refuses_no_wait(kie):
    run = kie("generate", "cli-turbo", "x", "--emulator", "--no-wait")
    assert run.exit_code == 2
    assert "--no-wait" in run.stderr


def test_generate_without_a_key_exits_3_after_local_checks(kie):
    run = kie("generate", "cli-turbo", "x")
    assert run.exit_code == 3
    assert "no KIE.ai API key" in run.stderr and "--emulator" in run.stderr
    bad = kie("generate", "cli-turbo", "x", "--duration", "7")
    assert bad.exit_code == 2  # bad input is reported first, key or no key
