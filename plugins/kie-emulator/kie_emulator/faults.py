"""The fault-injection engine: which rule fires for a request or a new task."""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kie_emulator.config import FaultRule


def path_matches(pattern: str, path: str) -> bool:
    """Tell whether a rule's path entry covers ``path`` (exact, prefix, or fnmatch pattern)."""
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(path, pattern)
    return path.startswith(pattern)


@dataclass
class ActiveRule:
    """A rule together with how often it has fired."""

    rule: FaultRule
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether the rule has used up its ``times``."""
        return self.rule.times is not None and self.fired >= self.rule.times

    def covers(self, path: str) -> bool:
        """Whether the rule's path filter lets ``path`` through."""
        if self.rule.paths is None:
            return True
        return any(path_matches(p, path) for p in self.rule.paths)

    def to_dict(self) -> dict[str, Any]:
        """Return the rule and its counters as a JSON-ready mapping."""
        data = self.rule.to_dict()
        data["fired"] = self.fired
        data["remaining"] = None if self.rule.times is None else self.rule.times - self.fired
        return data


class FaultEngine:
    """Holds the active fault rules and draws from them, deterministically under a seed.

    Every rule that could apply to a draw consumes exactly one random number, so a given
    sequence of requests always produces the same faults for the same seed.
    """

    def __init__(self, rules: Iterable[FaultRule] = (), seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._rules = [ActiveRule(r) for r in rules]

    @property
    def rules(self) -> list[ActiveRule]:
        """A copy of the active rules, in evaluation order."""
        with self._lock:
            return [ActiveRule(a.rule, a.fired) for a in self._rules]

    def add(self, rule: FaultRule) -> None:
        """Append a rule."""
        with self._lock:
            self._rules.append(ActiveRule(rule))

    def replace(self, rules: Iterable[FaultRule]) -> None:
        """Replace every rule."""
        with self._lock:
            self._rules = [ActiveRule(r) for r in rules]

    def clear(self) -> None:
        """Remove every rule."""
        self.replace(())

    def reset(self, rules: Iterable[FaultRule], seed: int | None) -> None:
        """Replace every rule and reseed the generator."""
        with self._lock:
            self._rng = random.Random(seed)
            self._rules = [ActiveRule(r) for r in rules]

    def draw(self, kinds: Iterable[str], path: str) -> FaultRule | None:
        """Return the first rule of one of ``kinds`` covering ``path`` that fires, if any."""
        wanted = set(kinds)
        with self._lock:
            for active in self._rules:
                if active.rule.kind not in wanted or active.exhausted or not active.covers(path):
                    continue
                if self._rng.random() < active.rule.probability:
                    active.fired += 1
                    return active.rule
        return None

    def draw_all(self, kinds: Iterable[str], path: str) -> set[str]:
        """Return every kind among ``kinds`` for which some covering rule fires."""
        fired: set[str] = set()
        for kind in sorted(set(kinds)):
            if self.draw((kind,), path) is not None:
                fired.add(kind)
        return fired
