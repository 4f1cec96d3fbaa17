"""Paths come from the project root; the force configuration is typed and names a bad key."""

import os

import pytest

from helpers import config
from helpers.config import ConfigError, ForceConfig, force_config, resolve_path


def test_paths_are_built_from_the_project_root_not_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_path("data/demo") == config.PROJECT_ROOT / "data" / "demo"
    assert resolve_path(None) == config.DEMO_DATA_DIR
    assert resolve_path(str(tmp_path)) == tmp_path
    assert (config.PROJECT_ROOT / "pyproject.toml").exists()


def test_the_committed_force_configuration_loads():
    cfg = force_config()
    assert cfg.protective_marking == "OFFICIAL"
    assert cfg.suppress_below is None
    assert len(cfg.msg_forces) == 7


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"force_nmae": "x"}, "unknown key.*force_nmae"),
        ({"suppress_below": "ten"}, "suppress_below"),
        ({"financial_year_start_month": 13}, "financial_year_start_month"),
        ({"protective_marking": True}, "protective_marking"),
    ],
)
def test_a_bad_key_is_named(data, message):
    with pytest.raises(ConfigError, match=message):
        ForceConfig.from_mapping(data, source="params/force.yaml")


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    bad = tmp_path / "force.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        force_config.__wrapped__(bad)


def test_an_absent_file_gives_the_defaults(tmp_path):
    assert force_config.__wrapped__(tmp_path / os.sep.join(["no", "such.yaml"])) == ForceConfig()
