"""The credit balance and its ledger of charges and refunds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

EntryKind = Literal["charge", "refund", "set"]
"""What a ledger entry records."""


class InsufficientCredits(Exception):
    """The balance does not cover a charge; nothing was deducted."""


@dataclass(frozen=True)
class LedgerEntry:
    """One movement of credits.

    Attributes:
        seq: position in the ledger, from 1.
        time_ms: emulated Unix time of the movement, in milliseconds.
        kind: ``charge`` (credits spent), ``refund`` (credits given back) or ``set``
            (the balance was set through the control API).
        amount: credits moved, always non-negative.
        delta: the signed change of the balance (negative for a charge).
        balance: the balance after the movement.
        task_id: the task concerned, if any.
        model: the model or product the movement is for, if any.
        note: a short human-readable explanation.
    """

    seq: int
    time_ms: int
    kind: EntryKind
    amount: float
    delta: float
    balance: float
    task_id: str | None = None
    model: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready mapping."""
        return {
            "seq": self.seq,
            "time": self.time_ms,
            "kind": self.kind,
            "amount": self.amount,
            "delta": self.delta,
            "balance": self.balance,
            "taskId": self.task_id,
            "model": self.model,
            "note": self.note,
        }


class Ledger:
    """A credit balance with the full history of its movements.

    Not thread-safe on its own: the emulator state calls it under its lock.
    """

    def __init__(self, credits: float) -> None:
        self._balance = float(credits)
        self._entries: list[LedgerEntry] = []

    @property
    def balance(self) -> float:
        """The current balance."""
        return self._balance

    @property
    def entries(self) -> list[LedgerEntry]:
        """A copy of every entry, oldest first."""
        return list(self._entries)

    def _add(
        self,
        kind: EntryKind,
        delta: float,
        *,
        time_ms: int,
        task_id: str | None,
        model: str | None,
        note: str,
    ) -> LedgerEntry:
        entry = LedgerEntry(
            seq=len(self._entries) + 1,
            time_ms=time_ms,
            kind=kind,
            amount=abs(delta),
            delta=delta,
            balance=self._balance,
            task_id=task_id,
            model=model,
            note=note,
        )
        self._entries.append(entry)
        return entry

    def charge(
        self, amount: float, time_ms: int, task_id: str | None, model: str | None, note: str = ""
    ) -> LedgerEntry:
        """Deduct ``amount``.

        Raises:
            InsufficientCredits: the balance is lower than ``amount``; nothing changed.
        """
        if amount > self._balance + 1e-9:
            raise InsufficientCredits(f"{amount} credits needed, {self._balance} available")
        self._balance = round(self._balance - amount, 6)
        return self._add(
            "charge", -amount, time_ms=time_ms, task_id=task_id, model=model, note=note
        )

    def refund(
        self, amount: float, time_ms: int, task_id: str | None, model: str | None, note: str = ""
    ) -> LedgerEntry:
        """Give ``amount`` back."""
        self._balance = round(self._balance + amount, 6)
        return self._add("refund", amount, time_ms=time_ms, task_id=task_id, model=model, note=note)

    def set_balance(self, credits: float, time_ms: int, note: str = "") -> LedgerEntry:
        """Set the balance to ``credits``, recording the change."""
        delta = float(credits) - self._balance
        self._balance = float(credits)
        return self._add("set", delta, time_ms=time_ms, task_id=None, model=None, note=note)

    def reset(self, credits: float) -> None:
        """Forget every entry and start again from ``credits``."""
        self._balance = float(credits)
        self._entries = []
