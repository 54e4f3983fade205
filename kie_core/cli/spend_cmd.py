"""``kie spend``: what the journal's requests cost, per UTC day and model, estimate against actual.

The actual figure is what KIE said it charged (Market records carry ``creditsConsumed``; a
refunded failure is 0); requests whose charge KIE did not report are counted as "unreported"
and, against the daily budget, at their estimate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from kie_core.cli.context import command_output, get_state
from kie_core.cli.options import JsonOption

if TYPE_CHECKING:
    from kie_core.cli.output import Output
    from kie_core.journal import SpendRow


def spend(
    ctx: typer.Context,
    *,
    days: Annotated[
        int,
        typer.Option("--days", "-n", min=1, metavar="N", help="Only the last N UTC days."),
    ] = 30,
    json_output: JsonOption = False,
) -> None:
    """Show credits spent per UTC day and model, from the local journal: estimate vs actual.

    "actual" is what KIE reported charging (0 for a refunded failure); "unreported" counts
    requests without such a report. With a daily budget (KIE_DAILY_BUDGET or daily_budget in
    the config file) the line below the table says what is left today.
    """
    from datetime import UTC, datetime, timedelta

    state = get_state(ctx)
    output = command_output(ctx, json_mode=json_output)
    journal = state.journal()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = journal.spend(since=today - timedelta(days=days - 1))
    budget = state.settings.daily_budget
    spent_today = journal.spent_today()
    if output.json_mode:
        output.result_json(_as_json(rows, budget, spent_today))
        return
    if not rows:
        output.info(f"nothing spent in the last {days} day(s) per the journal")
    else:
        _table(output, rows)
    if budget is not None:
        left = max(budget - spent_today, 0.0)
        output.result_line(
            f"daily budget {budget:g} credits ({state.settings.daily_budget_origin}): "
            f"{spent_today:g} spent today (UTC), {left:g} left"
        )


def _totals(rows: list[SpendRow]) -> dict[str, Any]:
    return {
        "tasks": sum(row.tasks for row in rows),
        "estimated_credits": sum(row.estimated for row in rows),
        "actual_credits": sum(row.actual for row in rows),
        "unreported": sum(row.unreported for row in rows),
        "spent_credits": sum(row.spent for row in rows),
    }


def _as_json(rows: list[SpendRow], budget: float | None, spent_today: float) -> dict[str, Any]:
    return {
        "rows": [
            {
                "day": row.day,
                "model": row.model,
                "tasks": row.tasks,
                "estimated_credits": row.estimated,
                "actual_credits": row.actual,
                "unreported": row.unreported,
                "spent_credits": row.spent,
            }
            for row in rows
        ],
        "total": _totals(rows),
        "today": {
            "spent_credits": spent_today,
            "daily_budget": budget,
            "left": max(budget - spent_today, 0.0) if budget is not None else None,
        },
    }


def _table(output: Output, rows: list[SpendRow]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Spend (UTC days, credits)", box=box.SIMPLE_HEAD, show_footer=True)
    totals = _totals(rows)
    columns = (
        ("day", "total", "left"),
        ("model", "", "left"),
        ("tasks", str(totals["tasks"]), "right"),
        ("estimate", f"{totals['estimated_credits']:g}", "right"),
        ("actual", f"{totals['actual_credits']:g}", "right"),
        ("unreported", str(totals["unreported"]), "right"),
    )
    for name, footer, justify in columns:
        table.add_column(
            name,
            footer=footer,
            justify="right" if justify == "right" else "left",
            overflow="fold",
            no_wrap=name in ("day", "tasks"),
        )
    for row in rows:
        table.add_row(
            row.day,
            Text(row.model),
            str(row.tasks),
            f"{row.estimated:g}",
            f"{row.actual:g}",
            str(row.unreported),
        )
    output.render(table)
