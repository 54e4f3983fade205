"""Where the ``kie`` command writes: results to stdout, progress and messages to stderr.

``kie ... --json | jq`` works because nothing but the result ever reaches stdout. ``--quiet``
silences progress and informational messages; warnings and errors still go to stderr. Every
string written passes through :meth:`Output.scrub`, which masks the configured secrets (the API
key, the webhook HMAC key) should one ever turn up in a message.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

#: What a masked secret looks like in output.
MASK = "***"

#: Table width when stdout is not a terminal: nothing wraps ids and paths for a reader there.
PIPE_WIDTH = 160


class Output:
    """The streams of one ``kie`` invocation.

    Args:
        json_mode: print results as JSON on stdout instead of tables and text.
        quiet: no progress display and no informational messages.
        secrets: strings that must never be written (they are replaced by ``***``).
    """

    def __init__(
        self, *, json_mode: bool = False, quiet: bool = False, secrets: Iterable[str] = ()
    ) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self._secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
        self._stdout: Console | None = None
        self._stderr: Console | None = None

    def with_mode(self, *, json_mode: bool = False, quiet: bool = False) -> Output:
        """Return an output for one command: its own ``--json`` / ``--quiet`` added to these."""
        return Output(
            json_mode=self.json_mode or json_mode,
            quiet=self.quiet or quiet,
            secrets=self._secrets,
        )

    def add_secret(self, secret: str | None) -> None:
        """Mask one more secret from now on."""
        if secret:
            self._secrets = tuple(sorted({*self._secrets, secret}, key=len, reverse=True))

    # --- consoles ------------------------------------------------------------------------

    @property
    def stdout(self) -> Console:
        """The rich console on stdout (for tables); wide when stdout is a pipe or a file."""
        if self._stdout is None:
            import os

            from rich.console import Console

            console = Console(highlight=False, soft_wrap=False)
            if not console.is_terminal and not os.environ.get("COLUMNS"):
                console.width = PIPE_WIDTH
            self._stdout = console
        return self._stdout

    @property
    def stderr(self) -> Console:
        """The rich console on stderr (for progress and messages)."""
        if self._stderr is None:
            from rich.console import Console

            self._stderr = Console(stderr=True, highlight=False)
        return self._stderr

    @property
    def show_progress(self) -> bool:
        """Whether a live progress display should be drawn (not quiet, stderr is a terminal)."""
        return not self.quiet and self.stderr.is_terminal

    # --- writing -------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """Return ``text`` with every configured secret masked."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def info(self, message: str) -> None:
        """Write an informational line to stderr (silenced by ``--quiet``)."""
        if not self.quiet:
            self._err_line(message, "")

    def success(self, message: str) -> None:
        """Write a success line to stderr (silenced by ``--quiet``)."""
        if not self.quiet:
            self._err_line(message, "green")

    def warn(self, message: str) -> None:
        """Write a warning to stderr (always shown)."""
        self._err_line(message, "yellow", prefix="warning: ")

    def error(self, message: str) -> None:
        """Write an error to stderr (always shown)."""
        self._err_line(message, "red", prefix="error: ")

    def _err_line(self, message: str, style: str, *, prefix: str = "") -> None:
        from rich.text import Text

        text = Text()
        if prefix:
            text.append(prefix, style=f"bold {style}")
        text.append(self.scrub(message), style=style)
        self.stderr.print(text, markup=False, highlight=False, soft_wrap=True)

    def result_line(self, text: str) -> None:
        """Write one plain line of result to stdout (a path, a task id, a number)."""
        sys.stdout.write(self.scrub(text) + "\n")
        sys.stdout.flush()

    def result_json(self, data: Any) -> None:
        """Write ``data`` as indented JSON to stdout."""
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        self.result_line(text)

    def render(self, renderable: RenderableType) -> None:
        """Write a rich renderable (a table) to stdout."""
        self._render(self.stdout, renderable)

    def render_err(self, renderable: RenderableType) -> None:
        """Write a rich renderable to stderr (silenced by ``--quiet``)."""
        if not self.quiet:
            self._render(self.stderr, renderable)

    def _render(self, console: Console, renderable: RenderableType) -> None:
        with console.capture() as captured:
            console.print(renderable)
        console.file.write(self.scrub(captured.get()))
        console.file.flush()

    @property
    def interactive(self) -> bool:
        """Whether someone is there to answer a question (stdin is a terminal)."""
        return sys.stdin.isatty()

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question on the terminal; False when stdin is not interactive."""
        if not self.interactive:
            return False
        from rich.prompt import Confirm

        return Confirm.ask(self.scrub(question), console=self.stderr, default=False)


#: How the command line says what the client's errors call ``again=True``.
CLI_AGAIN_HINT = "pass --again to send it anyway"


def error_text(error: BaseException) -> str:
    """Return an error's text in the command line's words (``--again``, not ``again=True``)."""
    from kie_core.flows import AGAIN_HINT

    return str(error).replace(AGAIN_HINT, CLI_AGAIN_HINT)
