"""Configuration: flags over environment over the config file; bad values are bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kie_core.cli.settings import Settings, SettingsError, load_settings, read_config_file
from tests.cli.conftest import SECRET_KEY


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_flag_beats_environment_beats_file(tmp_path):
    config = write(
        tmp_path / "config.toml",
        'api_key = "file-key"\nbase_url = "http://file.example"\n'
        'upload_base_url = "http://upload.file.example"\njournal = "/tmp/file.sqlite3"\n',
    )
    from_file = load_settings(environ={}, config_path=config)
    assert from_file == Settings(
        api_key="file-key",
        base_url="http://file.example",
        upload_base_url="http://upload.file.example",
        journal="/tmp/file.sqlite3",
        config_file=config,
    )
    env = {"KIE_API_KEY": "env-key", "KIE_BASE_URL": "http://env.example"}
    from_env = load_settings(environ=env, config_path=config)
    assert from_env.api_key == "env-key"
    assert from_env.base_url == "http://env.example"
    assert from_env.upload_base_url == "http://upload.file.example"
    from_flag = load_settings(
        api_key="flag-key", base_url="https://flag.example", environ=env, config_path=config
    )
    assert (from_flag.api_key, from_flag.base_url) == ("flag-key", "https://flag.example")


def test_missing_file_is_an_empty_config(tmp_path):
    settings = load_settings(environ={}, config_path=tmp_path / "absent.toml")
    assert settings == Settings()
    assert read_config_file(tmp_path / "absent.toml") == {}


def test_default_config_path_follows_kie_config(tmp_path):
    from kie_core.cli.settings import default_config_path

    assert default_config_path({"KIE_CONFIG": str(tmp_path / "c.toml")}) == tmp_path / "c.toml"
    assert default_config_path({}).name == "config.toml"


def test_the_key_never_shows_in_a_repr():
    assert SECRET_KEY not in repr(Settings(api_key=SECRET_KEY))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('api_kee = "x"\n', "unknown key 'api_kee'"),
        ("api_key = 5\n", "api_key must be a non-empty string"),
        ('api_key = ""\n', "api_key must be a non-empty string"),
        ("[section\n", "not valid TOML"),
    ],
)
def test_malformed_config_files_are_named(tmp_path, text, message):
    config = write(tmp_path / "config.toml", text)
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings(environ={}, config_path=config)
    assert str(config) in str(caught.value)


def test_base_url_must_be_http_and_a_key_given_by_mistake_is_not_echoed(tmp_path):
    absent = tmp_path / "absent.toml"
    with pytest.raises(SettingsError, match=r"--base-url: 'api\.kie\.ai' is not an http"):
        load_settings(base_url="api.kie.ai", environ={}, config_path=absent)
    with pytest.raises(SettingsError) as caught:
        load_settings(base_url=SECRET_KEY, environ={"KIE_API_KEY": SECRET_KEY}, config_path=absent)
    assert SECRET_KEY not in str(caught.value)
    with pytest.raises(SettingsError, match="KIE_UPLOAD_BASE_URL"):
        load_settings(environ={"KIE_UPLOAD_BASE_URL": "ftp://x"}, config_path=absent)


def test_bad_base_url_on_the_command_line_exits_2(kie):
    run = kie("--base-url", "localhost:8787", "--api-key", SECRET_KEY, "credits")
    assert run.exit_code == 2
    assert "--base-url" in run.stderr


@given(
    st.dictionaries(
        st.sampled_from(["api_key", "base_url", "upload_base_url", "journal", "other"]),
        st.one_of(st.text(max_size=20), st.integers(), st.booleans()),
        max_size=5,
    )
)
def test_any_config_content_loads_or_is_refused_with_settings_error(tmp_path_factory, data):
    import json

    lines = [f"{key} = {json.dumps(value)}" for key, value in data.items()]
    config = tmp_path_factory.mktemp("cfg") / "config.toml"
    config.write_text("\n".join(lines) + "\n")
    try:
        settings = load_settings(environ={}, config_path=config)
    except SettingsError:
        return
    for key in ("api_key", "base_url", "upload_base_url", "journal"):
        assert getattr(settings, key) == (data[key].strip() if key in data else None)
