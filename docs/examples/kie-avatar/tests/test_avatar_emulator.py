"""End to end on the offline KIE emulator: the avatar through the client and the command.

The ``kie_emulator`` fixture comes with kie-emulator (a pytest plugin), which learns the avatar
from the plugin's own declaration (``kie_avatar.emulation``); nothing here reaches KIE.
Local image and audio files are uploaded to the emulator's upload host first, as with KIE.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from kie_core import AsyncClient, Client, VideoRequest
from kie_core.client import PollSchedule

#: The smallest files the upload host takes as an image and an audio track.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


def inputs(folder: Path) -> tuple[str, str]:
    face, line = folder / "face.png", folder / "line.mp3"
    face.write_bytes(PNG)
    line.write_bytes(MP3)
    return str(face), str(line)


def settings(kie_emulator: Any) -> dict[str, Any]:
    return {
        "base_url": kie_emulator.base_url,
        "upload_base_url": kie_emulator.base_url,
        "poll": PollSchedule.fast(),
        "journal": False,
    }


def is_mp4(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[4:8] == b"ftyp"


def test_the_client_generates_and_downloads_an_mp4(kie_emulator: Any, tmp_path: Path) -> None:
    face, line = inputs(tmp_path)
    balance = kie_emulator.credits
    with Client(kie_emulator.api_key, **settings(kie_emulator)) as kie:
        video = kie.generate(
            VideoRequest(model="kling-avatar-pro", first_frame=face, audio=line, prompt="Smile.")
        )
        path = video.download(tmp_path / "out")
    assert is_mp4(path)
    assert video.handle.provider == "avatar"
    task = kie_emulator.tasks[video.task_id]
    assert task.model == "kling/ai-avatar-pro"
    assert task.body["input"]["prompt"] == "Smile."
    assert task.body["input"]["image_url"].startswith(kie_emulator.base_url)
    assert balance - kie_emulator.credits == video.handle.estimated_credits == 240


async def test_the_async_client_runs_the_standard_avatar_without_a_prompt(
    kie_emulator: Any, tmp_path: Path
) -> None:
    face, line = inputs(tmp_path)
    async with AsyncClient(kie_emulator.api_key, **settings(kie_emulator)) as kie:
        video = await kie.generate(VideoRequest(model="kling-avatar", first_frame=face, audio=line))
        path = await video.adownload(tmp_path / "out")
    assert is_mp4(path)
    task = kie_emulator.tasks[video.task_id]
    assert task.model == "kling/ai-avatar-standard"
    assert task.body["input"]["prompt"] == ""


def kie(args: list[str], kie_emulator: Any, folder: Path) -> Any:
    """Run the installed `kie` command against the emulator and return its --json output."""
    env = {
        **os.environ,
        "KIE_API_KEY": kie_emulator.api_key,
        "KIE_BASE_URL": kie_emulator.base_url,
        "KIE_UPLOAD_BASE_URL": kie_emulator.base_url,
        "KIE_JOURNAL": str(folder / "journal.sqlite3"),
        "KIE_CONFIG": str(folder / "no-config.toml"),
        "KIE_POLL_INTERVAL": "0.1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "kie_core.cli", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_kie_models_lists_the_avatar(kie_emulator: Any, tmp_path: Path) -> None:
    listed = {model["name"]: model for model in kie(["models"], kie_emulator, tmp_path)}
    avatar = listed["kling-avatar"]
    assert avatar["provider"] == "avatar"
    assert avatar["aliases"] == ["kling-ai-avatar", "kling-avatar-standard", "kling-avatar-pro"]
    assert avatar["resolutions"] == ["720p", "1080p"]
    assert avatar["inputs"] == ["text", "first_frame", "audio"]


def test_kie_generate_runs_the_avatar_to_a_downloaded_mp4(
    kie_emulator: Any, tmp_path: Path
) -> None:
    face, line = inputs(tmp_path)
    out = tmp_path / "out"
    result = kie(
        ["generate", "kling-avatar-pro", "", "--image", face, "--audio", line, "-o", str(out)],
        kie_emulator,
        tmp_path,
    )
    assert result["state"] == "succeeded"
    assert result["model"] == "kling-avatar"
    assert is_mp4(Path(result["path"]))
    assert kie_emulator.tasks[result["task_id"]].model == "kling/ai-avatar-pro"
