"""The sans-IO transport: request building, the envelope reader and error classification."""

from __future__ import annotations

import io
import json
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core import __version__
from kie_core.calls import EndpointCall
from kie_core.errors import (
    CODE_TO_ERROR,
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    KieError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    TransportError,
)
from kie_core.transport import (
    USER_AGENT,
    ApiKey,
    Endpoints,
    ambiguous_create_error,
    build_request,
    build_upload_request,
    clean_upload_path,
    make_timeout,
    parse_retry_after,
    read_envelope,
    read_response,
    transport_error,
)

KEY = ApiKey("sk-test-0123456789abcdef")
ENDPOINTS = Endpoints("https://api.example/", "https://upload.example")
PATH = "/api/v1/jobs/recordInfo"


def envelope(code: Any, msg: Any = "m", data: Any = None, **extra: Any) -> bytes:
    return json.dumps({"code": code, "msg": msg, "data": data, **extra}).encode()


# --- building requests ---------------------------------------------------------------------


def test_post_call_becomes_json_request_with_bearer_auth_and_timeouts() -> None:
    call = EndpointCall(method="POST", path="/api/v1/jobs/createTask", body={"model": "m"})
    request = build_request(call, endpoints=ENDPOINTS, api_key=KEY, timeout=make_timeout(12.0))
    assert request.method == "POST"
    assert str(request.url) == "https://api.example/api/v1/jobs/createTask"
    assert json.loads(request.content) == {"model": "m"}
    assert request.headers["Authorization"] == "Bearer sk-test-0123456789abcdef"
    assert request.headers["Content-Type"] == "application/json"
    assert request.extensions["timeout"] == {
        "connect": 10.0,
        "read": 12.0,
        "write": 12.0,
        "pool": 12.0,
    }


def test_get_call_carries_query_params_and_no_body() -> None:
    call = EndpointCall(method="GET", path=PATH, params={"taskId": "t 1"})
    request = build_request(call, endpoints=ENDPOINTS, api_key=KEY, timeout=make_timeout())
    assert request.url.params["taskId"] == "t 1"
    assert request.content == b""


def test_user_agent_is_browser_like_and_names_kie() -> None:
    call = EndpointCall(method="GET", path=PATH)
    request = build_request(call, endpoints=ENDPOINTS, api_key=KEY, timeout=make_timeout())
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("Mozilla/5.0")
    assert f"kie/{__version__}" in USER_AGENT


def test_upload_host_calls_go_to_the_upload_base_url() -> None:
    call = EndpointCall(method="POST", path="/api/file-url-upload", body={}, host="upload")
    request = build_request(call, endpoints=ENDPOINTS, api_key=KEY, timeout=make_timeout())
    assert request.url.host == "upload.example"


def test_upload_request_is_multipart_with_the_documented_fields() -> None:
    request = build_upload_request(
        io.BytesIO(b"PNGDATA"),
        file_name="frame.png",
        upload_path="kie/inputs",
        endpoints=ENDPOINTS,
        api_key=KEY,
        timeout=make_timeout(),
    )
    body = request.read()
    assert str(request.url) == "https://upload.example/api/file-stream-upload"
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="uploadPath"\r\n\r\nkie/inputs' in body
    assert b'name="fileName"\r\n\r\nframe.png' in body
    assert b'name="file"; filename="frame.png"' in body
    assert b"Content-Type: image/png" in body
    assert b"PNGDATA" in body


def test_clean_upload_path_strips_slashes_and_refuses_empty() -> None:
    assert clean_upload_path("/a/b/") == "a/b"
    with pytest.raises(ValueError, match="upload_path"):
        clean_upload_path(" / ")


def test_endpoints_strip_trailing_slash_and_refuse_non_http() -> None:
    assert ENDPOINTS.base_url == "https://api.example"
    with pytest.raises(ValueError, match="base_url"):
        Endpoints("ftp://x", "https://y")


def test_make_timeout_defaults_and_validation() -> None:
    timeout = make_timeout()
    assert (timeout.connect, timeout.read) == (10.0, 30.0)
    assert make_timeout(5.0).connect == 5.0
    custom = httpx.Timeout(1.0)
    assert make_timeout(custom) is custom
    with pytest.raises(ValueError, match="positive"):
        make_timeout(0)


# --- the API key -------------------------------------------------------------------------


def test_api_key_never_shows_itself() -> None:
    key = ApiKey("  secret-value-xyz  ")
    assert key.reveal() == "secret-value-xyz"
    for text in (repr(key), str(key), f"{key}", f"{key!r}", f"{[key]}"):
        assert "secret-value-xyz" not in text
    assert key.redact("a secret-value-xyz b") == "a *** b"
    assert "secret" not in key.digest()
    assert key.digest() == ApiKey("secret-value-xyz").digest()
    with pytest.raises(TypeError):
        pickle.dumps(key)
    with pytest.raises(ValueError, match="empty"):
        ApiKey("   ")


# --- Retry-After -----------------------------------------------------------------------------


def test_parse_retry_after_seconds_date_and_garbage() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now) == 7.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0
    for bad in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(bad) is None


# --- the envelope ----------------------------------------------------------------------------


def test_success_envelope_returns_data() -> None:
    assert read_envelope(200, envelope(200, "success", {"taskId": "t1"}), path=PATH) == {
        "taskId": "t1"
    }
    assert read_envelope(200, envelope(200, "success", 100), path=PATH) == 100
    assert read_envelope(200, envelope("200", "success", "https://x"), path=PATH) == "https://x"


@pytest.mark.parametrize(("code", "error_class"), sorted(CODE_TO_ERROR.items()))
def test_every_error_code_inside_http_200_raises_its_typed_error(
    code: int, error_class: type[ApiError]
) -> None:
    with pytest.raises(error_class) as caught:
        read_envelope(200, envelope(code, f"problem {code}"), path=PATH, task_id="task-9")
    error = caught.value
    assert type(error) is error_class
    assert error.code == code
    assert error.http_status == 200
    assert error.path == PATH
    assert error.task_id == "task-9"
    assert f"problem {code}" in error.message
    assert error.retryable is error_class.default_retryable


def test_envelope_code_wins_over_http_status() -> None:
    with pytest.raises(AuthenticationError) as caught:
        read_envelope(500, envelope(401, "no access"), path=PATH)
    assert caught.value.http_status == 500
    assert caught.value.code == 401


def test_http_error_status_with_success_code_is_classified_by_http_status() -> None:
    with pytest.raises(ServerError) as caught:
        read_envelope(503, envelope(200, "ok"), path=PATH)
    assert caught.value.code == 503


def test_message_may_be_spelled_message() -> None:
    body = json.dumps({"code": 422, "message": "This field is required"}).encode()
    with pytest.raises(ApiError, match="This field is required"):
        read_envelope(200, body, path=PATH)


def test_upload_host_success_field() -> None:
    ok = envelope(200, "File uploaded successfully", {"downloadUrl": "https://f"}, success=True)
    assert read_envelope(200, ok, path=PATH) == {"downloadUrl": "https://f"}
    no_code = json.dumps({"success": True, "data": {"downloadUrl": "https://f"}}).encode()
    assert read_envelope(200, no_code, path=PATH) == {"downloadUrl": "https://f"}
    with pytest.raises(BadRequestError, match="uploadPath"):
        read_envelope(
            200, envelope(400, "Missing required parameter: uploadPath", success=False), path=PATH
        )
    with pytest.raises(MalformedResponseError, match="success=false"):
        read_envelope(200, envelope(200, "odd", success=False), path=PATH)


def test_rate_limit_carries_retry_after() -> None:
    with pytest.raises(RateLimitError) as caught:
        read_envelope(429, envelope(429, "Rate limit exceeded"), {"retry-after": "4"}, path=PATH)
    assert caught.value.retry_after == 4.0
    assert caught.value.retryable


def test_read_response_reads_headers_case_insensitively() -> None:
    response = httpx.Response(429, headers={"Retry-After": "2"}, json={"code": 429, "msg": "slow"})
    with pytest.raises(RateLimitError) as caught:
        read_response(response, path=PATH)
    assert caught.value.retry_after == 2.0


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (200, b"<html>Cloudflare</html>", MalformedResponseError),
        (200, b"", MalformedResponseError),
        (200, b"[1, 2]", MalformedResponseError),
        (200, b'{"data": 1}', MalformedResponseError),
        (200, b'{"code": null, "msg": "x"}', MalformedResponseError),
        (502, b"<html>Bad gateway</html>", ServerError),
        (403, b"error code: 1010", AuthenticationError),
        (500, b'{"detail": "boom"}', ServerError),
        (404, b"", ApiError),
    ],
)
def test_answers_without_an_envelope(status: int, body: bytes, error_class: type[ApiError]) -> None:
    with pytest.raises(error_class) as caught:
        read_envelope(status, body, path=PATH)
    assert caught.value.http_status == status
    assert caught.value.path == PATH


def test_unknown_codes_fall_back_by_range() -> None:
    with pytest.raises(ServerError):
        read_envelope(200, envelope(599, "x"), path=PATH)
    with pytest.raises(BadRequestError):
        read_envelope(200, envelope(418, "x"), path=PATH)
    with pytest.raises(ApiError) as caught:
        read_envelope(200, envelope(7, "x"), path=PATH)
    assert type(caught.value) is ApiError


def test_server_messages_are_redacted() -> None:
    body = envelope(401, f"bad key {KEY.reveal()}")
    with pytest.raises(AuthenticationError) as caught:
        read_envelope(200, body, path=PATH, redact=KEY.redact)
    assert KEY.reveal() not in str(caught.value)
    assert "***" in str(caught.value)


def test_long_messages_are_truncated() -> None:
    with pytest.raises(ApiError) as caught:
        read_envelope(200, envelope(422, "x" * 5000), path=PATH)
    assert len(caught.value.message) < 600


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(status=st.integers(100, 599), body=st.binary(max_size=200))
def test_random_bytes_give_data_or_a_typed_error(status: int, body: bytes) -> None:
    try:
        read_envelope(status, body, path=PATH)
    except KieError as error:
        assert isinstance(error, ApiError)
        assert error.http_status == status
    else:
        assert 200 <= status < 300


@given(
    status=st.integers(100, 599),
    code=json_values,
    msg=json_values,
    data=json_values,
    success=json_values,
    use_message=st.booleans(),
)
def test_random_envelopes_give_data_or_a_typed_error(
    status: int, code: Any, msg: Any, data: Any, success: Any, use_message: bool
) -> None:
    body = {"code": code, ("message" if use_message else "msg"): msg, "data": data}
    if success is not None:
        body["success"] = success
    raw = json.dumps(body).encode()
    try:
        result = read_envelope(status, raw, path=PATH)
    except ApiError as error:
        assert error.path == PATH
        assert isinstance(error.message, str)
    else:
        assert 200 <= status < 300
        assert result == json.loads(raw)["data"]


@given(st.text(max_size=300))
def test_random_text_bodies_give_data_or_a_typed_error(text: str) -> None:
    try:
        data = read_envelope(200, text.encode("utf-8", "surrogatepass"), path=PATH)
    except KieError as error:
        assert isinstance(error, ApiError)
        assert error.path == PATH
    else:
        assert json.loads(text)["data"] == data


def test_deeply_nested_json_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedResponseError):
        read_envelope(200, b"[" * 100_000 + b"]" * 100_000, path=PATH)


# --- network failures --------------------------------------------------------------------


def test_transport_error_describes_the_failure() -> None:
    error = transport_error(httpx.ConnectError("Connection refused"), path=PATH, task_id="t")
    assert isinstance(error, TransportError)
    assert error.retryable
    assert "ConnectError: Connection refused" in str(error)
    assert error.task_id == "t"


def test_ambiguous_create_error_explains_and_keeps_the_code() -> None:
    lost = ambiguous_create_error(httpx.ReadTimeout("timed out"), path="/create")
    assert isinstance(lost, AmbiguousCreateError)
    assert not lost.retryable
    assert "ReadTimeout" in str(lost)
    assert "not sent again" in str(lost)
    server = ambiguous_create_error(ServerError("boom", code=500), path="/create")
    assert server.code == 500
