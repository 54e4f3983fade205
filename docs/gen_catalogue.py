"""mkdocs hook: write the model catalogue from the specs of the installed provider plugins.

`docs/catalogue.md` holds a marker line; at build time this hook replaces it with tables built
from `kie_core.registry.default_registry().registered_models()` and their summaries, so the
catalogue always says what the installed plugins say. Nothing is copied by hand.

A plugin that fails to load, or a build with no model at all, is logged as a warning, which
`mkdocs build --strict` turns into a failed build.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from kie_core.models import ModelSpec
from kie_core.registry import PluginInfo, RegisteredModel, Registry, default_registry

#: The line of `catalogue.md` that the generated catalogue replaces.
MARKER = "<!-- catalogue: generated at build time from the installed plugins -->"

#: The page the marker lives on.
PAGE = "catalogue.md"

log = logging.getLogger("mkdocs.hooks.kie_catalogue")


def anchor(name: str) -> str:
    """Return the HTML id of a model's section (`kling-2.5-turbo` -> `model-kling-2-5-turbo`)."""
    return "model-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _join(values: Iterable[Any], unit: str = "") -> str:
    items = [f"{value}{unit}" for value in values]
    return ", ".join(items) if items else "—"


def _code(values: Iterable[Any]) -> str:
    items = [f"`{value}`" for value in values]
    return ", ".join(items) if items else "—"


def _condition(when: Mapping[str, Any]) -> str:
    parts = []
    for key, value in when.items():
        if key == "duration":
            parts.append(f"{value} s")
        elif key in ("resolution", "aspect_ratio"):
            parts.append(str(value))
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def format_price(row: Mapping[str, Any]) -> str:
    """Return one price row of a summary as text, e.g. `42 (5 s)` or `8 per second`."""
    text = _number(row["credits"]) + (" per second" if row.get("per_second") else "")
    condition = _condition(row.get("when") or {})
    if condition:
        text += f" ({condition})"
    if row.get("note"):
        text += f" — {row['note']}"
    return text


def _schema_type(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return " \\| ".join(f"`{value!r}`" for value in prop["enum"])
    if "type" in prop:
        return str(prop["type"])
    options = [_schema_type(item) for item in prop.get("anyOf", []) if item.get("type") != "null"]
    return " \\| ".join(options) or "any"


def _limits(prop: Mapping[str, Any]) -> str:
    for item in (prop, *prop.get("anyOf", [])):
        bounds = []
        for key, symbol in (
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
            ("maxLength", "length ≤"),
        ):
            if key in item:
                bounds.append(f"{symbol} {item[key]}")
        if bounds:
            return ", ".join(bounds)
    return ""


def options_table(options_model: type[BaseModel]) -> list[str]:
    """Return the markdown rows describing an options model (name, type, limits, meaning)."""
    schema = options_model.model_json_schema()
    lines = [
        "| Option | Type | Limits | Meaning |",
        "|---|---|---|---|",
    ]
    for name, prop in schema.get("properties", {}).items():
        description = " ".join(str(prop.get("description", "")).split())
        lines.append(
            f"| `{name}` | {_schema_type(prop)} | {_limits(prop) or '—'} | {description or '—'} |"
        )
    return lines


def _variant_label(spec: ModelSpec, index: int, aliases: list[str], name: str) -> str:
    typed = [spec.name] if index == 0 else []
    typed += aliases
    return f"{name}: " + _code(typed)


def model_section(record: RegisteredModel, plugin: PluginInfo | None) -> list[str]:
    """Return the markdown section of one model."""
    spec = record.spec
    summary = record.summary()
    lines = [f"## {spec.title} — `{spec.name}` {{ #{anchor(spec.name)} }}", ""]
    if summary["deprecated"]:
        note = summary["deprecation_note"] or "the model may stop working at any time."
        lines += [
            f'!!! warning "Deprecated since {summary["deprecated"]}"',
            f"    {note.rstrip('.')}. kie warns before spending credits on it.",
            "",
        ]
    if spec.description:
        lines += [spec.description, ""]
    source = f"`{record.provider}`"
    if plugin is not None and plugin.distribution:
        source += f" (distribution `{plugin.distribution}` {plugin.version or ''})".rstrip()
    prompt = "required" if spec.prompt_required else "optional (may be empty)"
    if spec.prompt_max_length is not None:
        prompt += f", at most {spec.prompt_max_length} characters"
    negative = (
        f"at most {spec.negative_prompt_max_length} characters"
        if spec.negative_prompt_max_length is not None
        else "not accepted"
    )
    seed = f"{spec.seed_range[0]} to {spec.seed_range[1]}" if spec.seed_range else "not accepted"
    lines += [
        f"- **Plugin:** {source}",
        f"- **Task family:** `{summary['family']}`",
        f"- **Other names:** {_code(summary['aliases'])}",
        f"- **KIE model ids:** {_code(summary['kie_models'])}",
        f"- **Prompt:** {prompt}",
        f"- **Negative prompt:** {negative}",
        f"- **Seed:** {seed}",
        "",
        "| Variant: names to type | Mode | KIE model | Requires | Also accepts | Durations (s) "
        "| Aspect ratios | Resolutions | Credits |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for index, variant in enumerate(summary["variants"]):
        label = _variant_label(spec, index, variant["aliases"], variant["name"])
        for mode in variant["modes"]:
            optional = [kind for kind in mode["accepts"] if kind not in mode["requires"]]
            prices = "<br>".join(format_price(row) for row in mode["prices"]) or "not published"
            kie_model = _code([mode["kie_model"]] if mode["kie_model"] else [])
            lines.append(
                f"| {label} | {mode['name']} | {kie_model} "
                f"| {_join(mode['requires'])} | {_join(optional)} | {_join(mode['durations'])} "
                f"| {_join(mode['aspect_ratios'])} | {_join(mode['resolutions'])} | {prices} |"
            )
    lines.append("")
    option_models: list[tuple[str, type[BaseModel]]] = []
    if spec.options_model is not None:
        option_models.append(("every variant", spec.options_model))
    for variant_spec in spec.variants:
        if variant_spec.options_model is not None:
            option_models.append((f"variant `{variant_spec.name}`", variant_spec.options_model))
    if not option_models:
        lines += ["No model-specific options: `options` must be empty.", ""]
    for scope, model in option_models:
        lines += [f"Options (`--option KEY=VALUE`, `VideoRequest.options`) for {scope}:", ""]
        lines += [*options_table(model), ""]
    return lines


def render_catalogue(registry: Registry | None = None) -> tuple[str, list[str]]:
    """Return the catalogue markdown and the problems found (failed plugins, no models)."""
    registry = registry or default_registry()
    records = registry.registered_models()
    plugins = {info.name: info for info in registry.plugins()}
    problems = []
    for info in plugins.values():
        if info.error:
            problems.append(f"plugin {info.name!r} failed to load: {info.error}")
        problems += [f"plugin {info.name!r} refused a model: {err}" for err in info.model_errors]
    if not records:
        problems.append("no provider plugin is installed: the catalogue is empty")

    lines = [
        f"{len(records)} models from {len(plugins)} installed plugins "
        f"({', '.join(f'`{name}`' for name in sorted(plugins)) or 'none'}).",
        "",
        "| Model | Title | Plugin | Durations (s) | Aspect ratios | Resolutions | Inputs "
        "| Deprecated |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        spec, summary = record.spec, record.summary()
        lines.append(
            f"| [`{spec.name}`](#{anchor(spec.name)}) | {spec.title} | `{record.provider}` "
            f"| {_join(summary['durations'])} | {_join(summary['aspect_ratios'])} "
            f"| {_join(summary['resolutions'])} | {_join(summary['inputs'])} "
            f"| {summary['deprecated'] or '—'} |"
        )
    lines.append("")
    for record in records:
        lines += model_section(record, plugins.get(record.provider))
    if problems:
        lines += ['!!! failure "Plugins that did not load"', ""]
        lines += [f"    - {problem}" for problem in problems]
        lines.append("")
    return "\n".join(lines), problems


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace the marker of the catalogue page with the generated catalogue."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        log.warning("%s lost its marker line; the catalogue was not generated", PAGE)
        return markdown
    text, problems = render_catalogue()
    for problem in problems:
        log.warning("catalogue: %s", problem)
    return markdown.replace(MARKER, text)
