"""`kie models`, `kie plugins`, `--version` and `--help`."""

from __future__ import annotations

from kie_core.cli.models_cmd import describe_prices
from kie_core.models import Mode, ModelSpec, PriceRow, Variant
from kie_core.registry import PluginSource, Registry
from kie_core.request import InputKind
from tests.cli.conftest import make_registry


def test_models_json_lists_every_installed_model(kie):
    run = kie("models", "--json")
    assert run.exit_code == 0, run.stderr
    models = {item["name"]: item for item in run.json()}
    assert sorted(models) == ["cli-image", "cli-old", "cli-turbo"]
    turbo = models["cli-turbo"]
    for key in ("aliases", "provider", "durations", "aspect_ratios", "resolutions", "inputs"):
        assert key in turbo
    assert turbo["aliases"] == ["ct"]
    assert turbo["provider"] == "clitest"
    assert turbo["durations"] == [5, 10]
    assert turbo["aspect_ratios"] == ["16:9", "9:16", "1:1"]
    assert turbo["inputs"] == ["text", "first_frame", "last_frame"]
    assert turbo["deprecated"] is None
    assert models["cli-old"]["deprecated"] == "2026-09-24"
    assert models["cli-image"]["inputs"] == ["text", "first_frame", "last_frame"]


def test_models_table_shows_prices_and_deprecation(kie):
    run = kie("models")
    assert run.exit_code == 0, run.stderr
    assert "cli-turbo" in run.stdout
    assert "5 s: 42, 10 s: 84" in run.stdout
    assert "since 2026-09-24" in run.stdout
    assert "clitest" in run.stdout


def test_models_filter_by_name_or_alias(kie):
    assert [m["name"] for m in kie("models", "turbo", "--json").json()] == ["cli-turbo"]
    assert [m["name"] for m in kie("models", "ct", "--json").json()] == ["cli-turbo"]
    run = kie("models", "nothing-like-this")
    assert run.exit_code == 0
    assert "no installed model matches" in run.stderr


def test_models_with_no_plugin_says_what_to_install(kie, monkeypatch):
    from kie_core import registry as registry_module

    empty = Registry(sources=[])
    monkeypatch.setattr(registry_module, "default_registry", lambda: empty)
    run = kie("models")
    assert run.exit_code == 0
    assert run.stdout == ""
    assert "install a provider plugin" in run.stderr
    assert kie("models", "--json").json() == []


def test_plugins_lists_versions_models_and_failures(kie, monkeypatch):
    from kie_core import registry as registry_module

    def broken() -> object:
        raise ImportError("needs kie-core>=9")

    registry = make_registry(
        PluginSource(name="broken", load=broken, distribution="kie-broken", version="0.0.1")
    )
    monkeypatch.setattr(registry_module, "default_registry", lambda: registry)
    run = kie("plugins", "--json")
    assert run.exit_code == 0, run.stderr
    plugins = {item["name"]: item for item in run.json() if item["kind"] == "provider"}
    assert plugins["clitest"]["ok"] is True
    assert plugins["clitest"]["version"] == "0.1"
    assert plugins["clitest"]["models"] == ["cli-turbo", "cli-image", "cli-old"]
    assert plugins["broken"]["ok"] is False
    assert "needs kie-core>=9" in plugins["broken"]["error"]

    table = kie("plugins")
    assert "kie-cli-testplugin" in table.stdout
    assert "needs kie-core>=9" in table.stdout


def test_version_and_help(kie):
    from kie_core import __version__

    run = kie("--version")
    assert run.exit_code == 0
    assert run.stdout.strip() == f"kie {__version__}"
    help_run = kie("--help")
    assert help_run.exit_code == 0
    for command in ("models", "plugins", "generate", "status", "wait", "download", "credits"):
        assert command in help_run.stdout
    for command in ("tasks", "resume", "batch"):
        assert command in help_run.stdout


def test_no_arguments_shows_help(kie):
    run = kie()
    assert "Usage" in run.stdout + run.stderr


def test_describe_prices_per_second_and_variants():
    text = InputKind.TEXT
    spec = ModelSpec(
        name="priced",
        title="Priced",
        family="market",
        variants=(
            Variant(
                name="standard",
                modes=(
                    Mode(
                        name="t2v",
                        kie_model="x/standard",
                        requires=frozenset({text}),
                        resolutions=("720p", "1080p"),
                        default_resolution="720p",
                        prices=(
                            PriceRow(credits=8, when={"resolution": "720p"}, per_second=True),
                            PriceRow(credits=16, when={"resolution": "1080p"}, per_second=True),
                        ),
                    ),
                ),
            ),
            Variant(
                name="pro",
                aliases=("priced-pro",),
                modes=(
                    Mode(
                        name="t2v",
                        kie_model="x/pro",
                        requires=frozenset({text}),
                        prices=(PriceRow(credits=30),),
                    ),
                ),
            ),
        ),
    )
    assert describe_prices(spec) == "standard: 720p: 8/s, 1080p: 16/s\npro: 30"
