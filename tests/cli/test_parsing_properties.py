"""Property-based tests of the parsers that turn user text into requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kie_core.cli.batch_file import BATCH_FIELDS, read_batch
from kie_core.cli.request_args import assign_images, build_request, parse_option
from kie_core.errors import InvalidRequestError
from kie_core.request import VideoRequest, check_readable
from tests.cli.fake_plugin import IMAGE_ONLY, TURBO

keys = st.text(
    alphabet=st.characters(blacklist_characters="=", blacklist_categories=("Cs",)), min_size=1
).filter(lambda k: k.strip() != "")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@given(keys, json_values)
def test_option_values_round_trip_through_json(key, value):
    assert parse_option(f"{key}={json.dumps(value)}") == (key.strip(), value)


@given(keys, st.text())
def test_any_option_text_parses_or_is_refused_naming_the_flag(key, raw):
    parsed_key, parsed = parse_option(f"{key}={raw}")
    assert parsed_key == key.strip()
    try:
        expected = json.loads(raw)
    except ValueError:
        expected = raw
    assert parsed == expected or (parsed != parsed and expected != expected)


@given(st.text().filter(lambda t: "=" not in t or t.split("=", 1)[0].strip() == ""))
def test_option_without_a_key_is_refused(text):
    with pytest.raises(InvalidRequestError) as caught:
        parse_option(text)
    assert caught.value.field == "option"


@given(st.lists(st.sampled_from(["https://e.com/a.png", "b.png"]), max_size=4), st.booleans())
def test_images_fill_first_then_last_frame_or_are_refused(images, with_last):
    last = "https://e.com/last.png" if with_last else None
    for model in (TURBO, IMAGE_ONLY):
        fits = len(images) <= 1 or (len(images) == 2 and last is None)
        if not fits:
            with pytest.raises(InvalidRequestError, match="--reference-image"):
                assign_images(model.spec, images, last, [])
            continue
        first, last_frame, refs = assign_images(model.spec, images, last, [])
        assert first == (images[0] if images else None)
        assert last_frame == (images[1] if len(images) == 2 else last)
        assert refs == ()


field_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-3, 20),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
rows = st.dictionaries(
    st.sampled_from([*BATCH_FIELDS, "colour"]), field_values, max_size=6
) | st.just({"model": "cli-turbo", "prompt": "ok"})


@settings(max_examples=150)
@given(st.lists(rows | st.text(max_size=20), min_size=1, max_size=4))
def test_any_batch_file_reads_or_fails_naming_a_line(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("batch")
    text = "".join((json.dumps(line) if isinstance(line, dict) else line.replace("\n", " ")) + "\n"
                   for line in lines)  # fmt: skip
    path = folder / "jobs.jsonl"
    path.write_text(text)
    try:
        parsed = read_batch(path)
    except InvalidRequestError as exc:
        assert "line" in str(exc) or "no requests" in str(exc)
        return
    assert parsed
    for line in parsed:
        assert isinstance(line.request, VideoRequest)
        assert 1 <= line.number <= len(text.splitlines())


@given(st.text(max_size=30))
def test_build_request_never_raises_anything_but_invalid_request(prompt):
    try:
        request = build_request({"model": "cli-turbo", "prompt": prompt, "duration": 5})
    except InvalidRequestError:
        return
    assert request.prompt.strip() == prompt.strip()


def test_with_media_only_replaces_the_given_locations():
    request = VideoRequest(
        model="m", prompt="p", first_frame="a.png", last_frame="https://x/b.png",
        reference_images=("c.png", "https://x/d.png"),
    )  # fmt: skip
    shown = request.with_media({"a.png": "<upload: a.png>", "c.png": "<upload: c.png>"})
    assert shown.first_frame == "<upload: a.png>"
    assert shown.last_frame == "https://x/b.png"
    assert shown.reference_images == ("<upload: c.png>", "https://x/d.png")


def test_check_readable_accepts_files_and_urls(tmp_path: Path):
    image = tmp_path / "ok.png"
    image.write_bytes(b"x")
    check_readable(str(image), field="first_frame", label="--image")
    check_readable("https://example.com/anything", field="first_frame", label="--image")
    with pytest.raises(InvalidRequestError, match="--video: cannot read") as caught:
        check_readable(str(tmp_path / "missing.mp4"), field="video", label="--video")
    assert caught.value.field == "video"
