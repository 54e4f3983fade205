"""Uploading local files to KIE's upload host."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from kie_core.actions import Flow
from kie_core.errors import MalformedResponseError
from kie_core.flows.base import DEFAULT_UPLOAD_PATH, FlowBase
from kie_core.request import check_readable, is_remote
from kie_core.transport import ApiKey, build_upload_request, clean_upload_path, upload_call


class UploadFlows(FlowBase):
    """Upload one file, or every local input of a request."""

    def _upload_flow(self, path: str | os.PathLike[str], upload_path: str) -> Flow[str]:
        source = Path(path).expanduser()
        check_readable(str(source), field="path", label="upload")
        folder = clean_upload_path(upload_path)
        call = upload_call(folder)
        with source.open("rb") as handle:

            def build(key: ApiKey) -> httpx.Request:
                handle.seek(0)
                return build_upload_request(
                    handle,
                    file_name=source.name,
                    upload_path=folder,
                    endpoints=self._endpoints,
                    api_key=key,
                    timeout=self._timeout,
                )

            data = yield from self._exchange(call, build=build)
        url = data.get("downloadUrl") if isinstance(data, dict) else None
        if not isinstance(url, str) or not is_remote(url):
            raise MalformedResponseError(
                f"{call.path}: the upload answer has no downloadUrl", path=call.path
            )
        return url

    def _upload_inputs_flow(self, local: list[str]) -> Flow[dict[str, str]]:
        """Upload each local file once; return where each went."""
        urls: dict[str, str] = {}
        for location in local:
            if location not in urls:
                urls[location] = yield from self._upload_flow(location, DEFAULT_UPLOAD_PATH)
        return urls
