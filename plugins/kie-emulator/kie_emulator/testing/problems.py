"""How the contract checks report what they found: :class:`ContractError`, one problem a line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


class ContractError(AssertionError):
    """A plugin breaks the provider contract.

    Attributes:
        problems: every problem found, one sentence each.
    """

    def __init__(self, what: str, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{what}: {len(self.problems)} problem(s)\n{listing}")


def compact(value: Any) -> str:
    """Return ``value`` as one line of JSON, for problem reports."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def raise_if(what: str, problems: Sequence[str]) -> None:
    """Raise a :class:`ContractError` about ``what`` listing ``problems``, if there are any."""
    if problems:
        raise ContractError(what, problems)
