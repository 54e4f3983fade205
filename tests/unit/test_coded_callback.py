from __future__ import annotations

import pytest

from kie_core.errors import MalformedResponseError
from kie_core.families.base import coded_callback
from kie_core.status import TaskState

CODES = {200: TaskState.SUCCEEDED, 500: TaskState.FAILED}


def test_success_carries_fields_and_no_failure() -> None:
    body = {"code": 200, "msg": "done", "data": {}}
    event = coded_callback("luma", body, "t1", CODES, result_urls=("https://x/v.mp4",))
    assert event.family == "luma"
    assert event.status.succeeded
    assert event.status.result_urls == ("https://x/v.mp4",)
    assert event.status.fail_code is None
    assert event.status.raw_state == "code=200"


def test_failure_takes_msg_as_reason() -> None:
    event = coded_callback("luma", {"code": "500", "msg": "Modify failed."}, "t1", CODES)
    assert event.status.failed
    assert (event.status.fail_code, event.status.fail_message) == ("500", "Modify failed.")
    assert event.code == 500


@pytest.mark.parametrize("code", [None, 201, "x", True, 422])
def test_undocumented_code_is_malformed(code: object) -> None:
    with pytest.raises(MalformedResponseError, match=r"Luma callback has code .*200, 500"):
        coded_callback("luma", {"code": code}, "t1", CODES, label="Luma")
