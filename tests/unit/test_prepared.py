"""PreparedRequest: resolved and built once; local files swapped into the built call."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core.calls import EndpointCall
from kie_core.errors import InvalidRequestError
from kie_core.families.market import MARKET
from kie_core.models import ResolvedRequest, VideoModel
from kie_core.request import VideoRequest
from kie_core.results import UPLOAD_PLACEHOLDER, PreparedRequest
from tests.unit.sample_models import TURBO, TURBO_MODEL

names = st.from_regex(r"[a-z][a-z0-9_]{0,11}\.(png|jpg)", fullmatch=True)


def prepared_for(model: VideoModel, request: VideoRequest) -> PreparedRequest:
    """A prepared request without the local-file check (the paths need not exist here)."""
    resolved = model.resolve(request)
    return PreparedRequest(resolved, model.build_call(resolved), model, None)


@given(first=names, last=names, prompt=st.text(min_size=1, max_size=40))
def test_swapping_into_the_built_call_equals_building_again(first, last, prompt):
    request = VideoRequest(
        model="test-turbo", prompt=prompt.strip() or "x", first_frame=first, last_frame=last
    )
    prepared = prepared_for(TURBO_MODEL, request)
    urls = {first: f"https://files.example/{first}", last: f"https://files.example/u/{last}"}
    rebuilt = TURBO_MODEL.build_call(
        prepared.resolved.model_copy(update={"request": prepared.request.with_media(urls)})
    )
    assert prepared.call_with(urls) == rebuilt


class Embedding(VideoModel):
    """A plugin that puts the image location inside a longer value."""

    spec = TURBO
    family = MARKET

    def __init__(self) -> None:
        self.builds = 0

    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        self.builds += 1
        image = resolved.request.first_frame
        return EndpointCall(method="POST", path="/x", body={"input": {"images": f"[{image}]"}})


def test_a_path_inside_a_longer_value_makes_the_call_be_built_again():
    model = Embedding()
    request = VideoRequest(model="test-turbo", prompt="p", first_frame="cat.png")
    prepared = prepared_for(model, request)
    call = prepared.call_with({"cat.png": "https://files.example/cat.png"})
    assert call.body == {"input": {"images": "[https://files.example/cat.png]"}}
    assert model.builds == 2  # the swap could not be trusted: no local path is ever sent


def test_of_checks_files_then_resolves_and_builds_once(tmp_path: Path):
    image = tmp_path / "cat.png"
    image.write_bytes(b"png")
    model = Embedding()
    request = VideoRequest(model="test-turbo", prompt="p", first_frame=str(image))
    prepared = PreparedRequest.of(model, request)
    assert model.builds == 1
    assert prepared.local_files == [str(image)]
    assert prepared.shown_call.body == {
        "input": {"images": f"[{UPLOAD_PLACEHOLDER.format(path=image)}]"}
    }
    with pytest.raises(InvalidRequestError, match="--image: cannot read") as caught:
        PreparedRequest.of(
            model,
            request.model_copy(update={"first_frame": str(tmp_path / "gone.png")}),
            labels={"first_frame": "--image"},
        )
    assert caught.value.field == "first_frame"


def test_no_local_files_means_the_call_itself():
    request = VideoRequest(model="test-turbo", prompt="p", first_frame="https://x.example/a.png")
    prepared = prepared_for(TURBO_MODEL, request)
    assert prepared.call_with({}) is prepared.call
    assert prepared.shown_call is prepared.call
