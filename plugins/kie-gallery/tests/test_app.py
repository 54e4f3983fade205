"""The gallery over HTTP (no browser): filters, paging, Range, CSRF, tokens, actions."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from gallery_support import Filled, wait_until
from kie_gallery.app import GalleryConfig, create_app
from kie_gallery.security import CSRF_FIELD
from starlette.testclient import TestClient

from kie_core.registry import default_registry
from kie_core.request import VideoRequest

ORIGIN = "http://127.0.0.1"


def _config(filled: Filled, **changes: object) -> GalleryConfig:
    values: dict[str, object] = {
        "journal": filled.journal,
        "registry": default_registry(),
        "client_factory": filled.client,
        "output_dir": filled.videos,
        "page_size": 2,
    }
    values.update(changes)
    return GalleryConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def http(filled: Filled) -> Iterator[TestClient]:
    with TestClient(create_app(_config(filled)), base_url=ORIGIN) as client:
        yield client


def _csrf(html: str) -> str:
    match = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def _charges(filled: Filled) -> int:
    return sum(1 for entry in filled.emulator.ledger if entry.kind == "charge")


def _card_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="card[^"]*" id="card-(\d+)"', html)]


def test_the_older_links_walk_every_task_once(http: TestClient) -> None:
    seen: list[int] = []
    url = "/"
    while url:
        html = http.get(url).text
        seen += _card_ids(html)
        found = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == [4, 3, 2, 1]


def test_the_totals_cover_the_whole_filtered_view(http: TestClient) -> None:
    html = http.get("/?model=kling-2.5-turbo").text
    assert len(_card_ids(html)) == 2
    assert "<strong>3</strong> tasks match" in html
    # 42 + 84 + 42 (the failed task's estimate counts: KIE accepted it).
    assert "estimated <strong>168</strong> credits" in html
    # What the emulator charged: 42 + 84, and the failed task was refunded.
    assert "spent <strong>126</strong> credits" in html
    assert "3 of 3" in html


@pytest.mark.parametrize(
    ("query", "field", "accepted"),
    [
        ("state=bogus", "state='bogus'", "one of submitting, created"),
        ("day=2024-13-01", "day='2024-13-01'", "a date written YYYY-MM-DD"),
        ("before=abc", "before='abc'", "a positive entry id"),
    ],
)
def test_a_bad_filter_is_one_clear_error(
    http: TestClient, query: str, field: str, accepted: str
) -> None:
    response = http.get("/?" + query)
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert f"{field} is not accepted: {accepted}" in text


def test_media_answers_range_requests_with_the_exact_bytes(
    http: TestClient, filled: Filled
) -> None:
    entry = filled.journal.get_entry(1)
    assert entry is not None and entry.output_path
    data = Path(entry.output_path).read_bytes()
    whole = http.get("/media/1")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    part = http.get("/media/1", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    assert part.content == data[1000:2000]
    assert http.get("/media/4").status_code == 404  # the failed task has no file
    assert http.get("/media/99").status_code == 404


def test_a_foreign_host_header_is_refused(filled: Filled) -> None:
    with TestClient(create_app(_config(filled)), base_url="http://evil.example") as client:
        assert client.get("/").status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": "http://evil.example/page"},
    ],
)
def test_a_cross_site_post_is_refused_and_nothing_sent(
    http: TestClient, filled: Filled, headers: dict[str, str]
) -> None:
    token = _csrf(http.get("/tasks/1").text)
    charges = _charges(filled)
    response = http.post(
        "/tasks/1/again/confirm",
        data={CSRF_FIELD: token, "confirm": "yes", "prompt": "x"},
        headers=headers,
    )
    assert response.status_code == 403
    assert _charges(filled) == charges


def test_a_post_without_the_csrf_token_is_refused(http: TestClient) -> None:
    response = http.post("/tasks/1/resume", data={}, headers={"Origin": ORIGIN})
    assert response.status_code == 403
    assert "CSRF token" in response.text


def _confirm_form(http: TestClient, prompt: str) -> dict[str, str]:
    token = _csrf(http.get("/tasks/1/again").text)
    preview = http.post(
        "/tasks/1/again",
        data={CSRF_FIELD: token, "prompt": prompt, "duration": "10", "aspect_ratio": "16:9"},
        headers={"Origin": ORIGIN},
    )
    assert preview.status_code == 200
    assert "Estimated cost: <strong>84 credits</strong>" in preview.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview.text))
    return fields


def test_confirming_twice_creates_one_task(http: TestClient, filled: Filled) -> None:
    charges = _charges(filled)
    form = _confirm_form(http, "a red fox, once")
    assert _charges(filled) == charges
    first = http.post("/tasks/1/again/confirm", data=form, follow_redirects=False)
    second = http.post("/tasks/1/again/confirm", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"] == "/tasks/5"
    assert _charges(filled) == charges + 1
    wait_until(lambda: (e := filled.journal.get_entry(5)) is not None and e.state == "downloaded")


def test_confirmation_is_required_to_spend(http: TestClient, filled: Filled) -> None:
    form = _confirm_form(http, "a red fox, unconfirmed")
    form.pop("confirm")
    charges = _charges(filled)
    response = http.post("/tasks/1/again/confirm", data=form)
    assert response.status_code == 400
    assert "nothing was sent" in response.text
    assert _charges(filled) == charges


def test_an_invalid_edit_names_the_field_and_sends_nothing(
    http: TestClient, filled: Filled
) -> None:
    token = _csrf(http.get("/tasks/1/again").text)
    charges = _charges(filled)
    response = http.post(
        "/tasks/1/again",
        data={CSRF_FIELD: token, "prompt": "x", "duration": "7"},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 400
    assert "duration" in response.text and "7" in response.text
    assert 'value="7"' in response.text  # the form keeps what was typed
    assert _charges(filled) == charges


def test_resume_finishes_a_pending_task_without_a_new_one(http: TestClient, filled: Filled) -> None:
    with filled.client() as client:
        client.submit(VideoRequest(model="veo-3.1-fast", prompt="a pending kite"))
    charges = _charges(filled)
    page = http.get("/tasks/5").text
    assert "Resume" in page
    response = http.post(
        "/tasks/5/resume", data={CSRF_FIELD: _csrf(page)}, headers={"Origin": ORIGIN}
    )
    assert response.status_code == 200  # followed to the task page
    wait_until(lambda: (e := filled.journal.get_entry(5)) is not None and e.state == "downloaded")
    assert _charges(filled) == charges


def test_download_again_restores_a_missing_file(http: TestClient, filled: Filled) -> None:
    entry = filled.journal.get_entry(2)
    assert entry is not None and entry.output_path
    Path(entry.output_path).unlink()
    page = http.get("/tasks/2").text
    assert "(missing on disk)" in page
    http.post("/tasks/2/download", data={CSRF_FIELD: _csrf(page)}, headers={"Origin": ORIGIN})
    wait_until(lambda: Path(entry.output_path or "").is_file())


def test_without_a_key_the_gallery_shows_but_does_not_act(filled: Filled) -> None:
    with TestClient(create_app(_config(filled, client_factory=None)), base_url=ORIGIN) as client:
        page = client.get("/tasks/1").text
        assert "can show but not act" in page
        response = client.post(
            "/tasks/1/download", data={CSRF_FIELD: _csrf(page)}, headers={"Origin": ORIGIN}
        )
        assert response.status_code == 409
        assert "no KIE.ai API key" in response.text


def test_an_unknown_task_or_action_is_a_clear_404(http: TestClient) -> None:
    assert "there is no journal entry 99" in http.get("/tasks/99").text
    token = _csrf(http.get("/tasks/1").text)
    response = http.post("/tasks/1/delete", data={CSRF_FIELD: token}, headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert "accepted: resume, download" in response.text


def test_the_day_filter_is_the_local_day_of_the_tasks(http: TestClient, filled: Filled) -> None:
    entry = filled.journal.get_entry(1)
    assert entry is not None
    day = entry.created_at.astimezone().date()
    assert "<strong>4</strong> tasks match" in http.get(f"/?day={day.isoformat()}").text
    before = day.fromordinal(day.toordinal() - 1).isoformat()
    assert "<strong>0</strong> tasks match" in http.get(f"/?day={before}").text
