"""``kie models`` and ``kie plugins``: what is installed, what it accepts, what it costs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from kie_core.cli.context import command_output, get_state
from kie_core.cli.options import JsonOption

if TYPE_CHECKING:
    from rich.text import Text

    from kie_core.cli.extensions import CommandPluginInfo
    from kie_core.cli.output import Output
    from kie_core.models import ModelSpec, PriceRow, Variant


def models(
    ctx: typer.Context,
    *,
    name: Annotated[
        str | None,
        typer.Argument(help="Show only models whose name or alias contains this text."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List the installed models: durations, aspect ratios, inputs, prices, deprecation."""
    output = command_output(ctx, json_mode=json_output)
    specs = get_state(ctx).registry().specs()
    if name:
        needle = name.lower()
        specs = [s for s in specs if any(needle in n.lower() for n in s.all_names())]
    if output.json_mode:
        output.result_json([spec.summary() for spec in specs])
        return
    if not specs:
        output.warn(
            "no models installed; install a provider plugin such as kie-kling"
            if not name
            else f"no installed model matches {name!r}"
        )
        return
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    # One block per model, each value on its own labelled line: readable at 80 columns, where a
    # ten-column table would cut every name short.
    blocks: list[Group] = []
    for spec in specs:
        heading = Text(spec.name, style="bold")
        heading.append(f"  {spec.title}" if spec.title else "")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(overflow="fold")
        rows = (
            ("aliases", _join(spec.all_names()[1:]) or "-"),
            ("provider", f"{spec.provider} ({spec.family})"),
            ("durations", _join(f"{d} s" for d in spec.durations) or "follows input"),
            ("aspect ratios", _join(spec.aspect_ratios) or "follows input"),
            ("resolutions", _join(spec.resolutions) or "-"),
            ("inputs", _join(spec.inputs)),
            ("credits", describe_prices(spec)),
            ("options (-O)", _join(spec.option_keys()) or "-"),
        )
        for label, value in rows:
            grid.add_row(label, Text(value))
        if spec.deprecated is not None:
            grid.add_row("deprecated", _deprecation(spec))
        blocks.append(Group(heading, Padding(grid, (0, 0, 1, 2), expand=False)))
    output.render(Group(Text("Installed models", style="bold underline"), Text(), *blocks))


def plugins(ctx: typer.Context, *, json_output: JsonOption = False) -> None:
    """List the installed plugins (providers and command plugins) and any that failed to load."""
    from kie_core.cli.app import app
    from kie_core.cli.extensions import command_plugins

    output = command_output(ctx, json_mode=json_output)
    infos = get_state(ctx).registry().plugins()
    extensions = command_plugins(app)
    if output.json_mode:
        output.result_json(
            [{**dataclasses.asdict(info), "ok": info.ok, "kind": "provider"} for info in infos]
            + [{**dataclasses.asdict(ext), "ok": ext.ok, "kind": "commands"} for ext in extensions]
        )
        return
    if extensions:
        _show_command_plugins(output, extensions)
    if not infos:
        output.warn("no provider plugins installed; install one such as kie-kling")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Provider plugins", show_lines=True)
    for column in ("plugin", "distribution", "version", "models", "status"):
        table.add_column(column)
    for info in infos:
        problems = [info.error] if info.error else []
        problems.extend(info.model_errors if info.error is None else [])
        status = Text("ok", style="green") if not problems else Text("\n".join(problems), "red")
        table.add_row(
            Text(info.name),
            Text(info.distribution or "-"),
            Text(info.version or "-"),
            Text("\n".join(info.models) or "-"),
            status,
        )
    output.render(table)


def _show_command_plugins(output: Output, extensions: Iterable[CommandPluginInfo]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Command plugins", show_lines=True)
    for column in ("plugin", "distribution", "version", "commands", "status"):
        table.add_column(column)
    for ext in extensions:
        status = Text("ok", style="green") if ext.ok else Text(ext.error or "", "red")
        table.add_row(
            Text(ext.name),
            Text(ext.distribution or "-"),
            Text(ext.version or "-"),
            Text("\n".join(ext.commands) or "-"),
            status,
        )
    output.render(table)


def describe_prices(spec: ModelSpec) -> str:
    """Return the credits of every variant, one line per variant, e.g. ``5 s: 42, 10 s: 84``."""
    lines: list[str] = []
    for variant in spec.variants:
        rows = _variant_prices(variant)
        if not rows:
            continue
        text = ", ".join(rows)
        lines.append(text if len(spec.variants) == 1 else f"{variant.name}: {text}")
    return "\n".join(lines) or "-"


def _variant_prices(variant: Variant) -> list[str]:
    seen: dict[str, None] = {}
    for mode in variant.modes:
        for row in mode.prices:
            seen[_describe_row(row)] = None
    return list(seen)


def _describe_row(row: PriceRow) -> str:
    condition = _describe_when(row.when)
    credits = f"{row.credits:g}/s" if row.per_second else f"{row.credits:g}"
    return f"{condition}: {credits}" if condition else credits


def _describe_when(when: Mapping[str, object]) -> str:
    parts: list[str] = []
    for key, value in when.items():
        if key == "duration":
            parts.append(f"{value} s")
        elif key in ("resolution", "aspect_ratio"):
            parts.append(str(value))
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


def _deprecation(spec: ModelSpec) -> Text:
    from rich.text import Text

    if spec.deprecated is None:
        return Text("-")
    text = Text(f"since {spec.deprecated.isoformat()}", style="yellow")
    if spec.deprecation_note:
        text.append(f"\n{spec.deprecation_note}")
    return text


def _join(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)
