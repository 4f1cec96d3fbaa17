"""Paths come from the project root; the force configuration is typed and names a bad key."""

import os
import re

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
    assert config.FORCE_CONFIG_FILE == config.PROJECT_ROOT / "profiles" / "demo" / "force.yaml"
    cfg = force_config()
    assert cfg.force_name == "Essex Police (demo force)" and cfg.short_name == "Essex"
    assert cfg.protective_marking == "OFFICIAL"
    assert cfg.suppress_below is None
    assert cfg.financial_year_start_month == 4
    assert cfg.max_unassigned_share == 0.05 and cfg.max_data_warnings is None
    assert not hasattr(cfg, "msg_forces")  # the Most Similar Group is the profile's msg_forces.csv
    assert config.read_force_config(config.FORCE_CONFIG_FILE) == cfg


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"force_nmae": "x"}, "unknown key.*force_nmae"),
        ({"suppress_below": "ten"}, "suppress_below"),
        ({"financial_year_start_month": 13}, "financial_year_start_month"),
        ({"protective_marking": True}, "protective_marking"),
        ({"financial_year_start_month": 1}, "is 1; the measures support an April start only"),
        ({"max_unassigned_share": 1.5}, "'max_unassigned_share' must be a share from 0 to below 1"),
        ({"max_unassigned_share": "5%"}, "'max_unassigned_share' should be"),
        ({"max_data_warnings": -1}, "'max_data_warnings' must be a count"),
        ({"msg_forces": ["Kent Police"]}, "'msg_forces' is no longer read.*msg_forces.csv"),
        ({"savings_plan_years": "2015/16 to 2019/20"}, "'savings_plan_gbp' go together"),
        ({"savings_plan_gbp": 33.1e6}, "'savings_plan_years' and 'savings_plan_gbp' go together"),
        (
            {"savings_plan_years": "2015-2020", "savings_plan_gbp": 1},
            "'savings_plan_years' is '2015-2020'; write .* as '2015/16 to 2019/20'",
        ),
        (
            {"savings_plan_years": "2015/17 to 2019/20", "savings_plan_gbp": 1},
            "'savings_plan_years' is '2015/17 to 2019/20'",
        ),
        (
            {"savings_plan_years": "2019/20 to 2015/16", "savings_plan_gbp": 1},
            "'savings_plan_years' is '2019/20 to 2015/16'",
        ),
        ({"savings_plan_years": "2015/16 to 2019/20", "savings_plan_gbp": -5}, "must be an amount"),
    ],
)
def test_a_bad_key_is_named(data, message):
    with pytest.raises(ConfigError, match=rf"^profiles/demo/force\.yaml: .*{message}"):
        ForceConfig.from_mapping(data, source="profiles/demo/force.yaml")


def test_the_data_check_thresholds_are_optional_and_typed():
    required = {"force_name": "Kent Police", "short_name": "Kent", "protective_marking": "OFFICIAL"}
    cfg = ForceConfig.from_mapping({**required, "suppress_below": None})
    assert cfg.max_unassigned_share == 0.05 and cfg.max_data_warnings is None
    cfg = ForceConfig.from_mapping(
        {**required, "suppress_below": 10, "max_unassigned_share": 0, "max_data_warnings": 3}
    )
    assert cfg.max_unassigned_share == 0 and cfg.max_data_warnings == 3


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    bad = tmp_path / "force.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        force_config.__wrapped__(bad)


COMMITTED = config.FORCE_CONFIG_FILE.read_text(encoding="utf-8")


def write_config(folder, text: str):
    path = folder / "force.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_is_an_error_never_the_demo_force(tmp_path):
    missing = tmp_path / os.sep.join(["kent", "force.yaml"])
    for read in (force_config.__wrapped__, config.read_force_config):
        with pytest.raises(ConfigError) as info:
            read(missing)
        message = str(info.value)
        assert message.startswith(f"{missing} not found:")
        assert "the force configuration is required" in message
        assert "a profile's force.yaml names the force" in message
        assert "(see profiles/demo/force.yaml)" in message


def test_the_committed_file_is_named_relative_to_the_project():
    with pytest.raises(ConfigError, match=r"^profiles/demo/nothing\.yaml not found"):
        force_config.__wrapped__(config.DEMO_PROFILE_DIR / "nothing.yaml")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("force_name: Kent Police\nshort_name: [Kent\n", 3),  # an unclosed list
        ("force_name: Kent Police\n  short_name: Kent\n", 2),  # indented under a value
        ("force_name: Kent: Police\n", 1),
    ],
)
def test_a_yaml_syntax_error_names_the_file_and_the_line(tmp_path, text, line):
    path = write_config(tmp_path, text)
    with pytest.raises(
        ConfigError, match=rf"^{re.escape(str(path))}: YAML syntax error at line {line}, column"
    ):
        force_config.__wrapped__(path)


def test_a_bad_key_in_the_file_names_the_file_and_the_key(tmp_path):
    path = write_config(tmp_path, COMMITTED.replace("short_name:", "short_nmae:"))
    with pytest.raises(
        ConfigError, match=rf"^{re.escape(str(path))}: unknown key\(s\) \['short_nmae'\]"
    ):
        force_config.__wrapped__(path)
    path = write_config(tmp_path, COMMITTED.replace("suppress_below: null", "suppress_below: ten"))
    with pytest.raises(
        ConfigError, match=rf"^{re.escape(str(path))}: key 'suppress_below' should be"
    ):
        force_config.__wrapped__(path)


@pytest.mark.parametrize("key", ["force_name", "protective_marking", "suppress_below"])
def test_a_file_without_a_required_key_is_refused_not_filled_from_the_demo(tmp_path, key):
    kept = [line for line in COMMITTED.splitlines() if not line.startswith(f"{key}:")]
    path = write_config(tmp_path, "\n".join(kept) + "\n")
    with pytest.raises(
        ConfigError, match=rf"^{re.escape(str(path))}: missing key\(s\) \['{key}'\]"
    ):
        force_config.__wrapped__(path)


def test_an_empty_file_names_every_required_key(tmp_path):
    with pytest.raises(ConfigError, match="missing key.*force_name.*suppress_below"):
        force_config.__wrapped__(write_config(tmp_path, "# nothing yet\n"))


def test_a_file_that_is_not_utf8_is_refused_naming_the_byte(tmp_path):
    path = tmp_path / "force.yaml"
    path.write_bytes(COMMITTED.replace("Essex Police", "Essex Polic\u00e9").encode("cp1252"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 0xE9"):
        force_config.__wrapped__(path)


def test_a_written_file_loads_as_written(tmp_path):
    text = COMMITTED.replace("Essex Police (demo force)", "Kent Police").replace(
        "suppress_below: null", "suppress_below: 10"
    )
    cfg = force_config.__wrapped__(write_config(tmp_path, text))
    assert cfg.force_name == "Kent Police" and cfg.suppress_below == 10


def test_a_yaml_syntax_error_in_the_catalog_names_the_file_and_the_line(tmp_path):
    from helpers.contract.catalog import CATALOG_FILE, CatalogError, load_catalog

    path = tmp_path / "catalog.yaml"
    lines = CATALOG_FILE.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  title:"))
    lines[at] = "  title: [unclosed"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=rf"^{re.escape(str(path))}: YAML syntax error at line"):
        load_catalog.__wrapped__(path)
    assert issubclass(CatalogError, ConfigError)  # the pack reports both the same way


def test_the_savings_plan_is_optional_and_read_as_its_years():
    required = {"force_name": "Kent Police", "short_name": "Kent", "protective_marking": "OFFICIAL",
                "suppress_below": None}  # fmt: skip
    assert ForceConfig.from_mapping(required).savings_plan is None
    cfg = ForceConfig.from_mapping(
        {**required, "savings_plan_years": "2015/16 to 2019/20", "savings_plan_gbp": 33_100_000}
    )
    assert cfg.savings_plan == (2015, 2019) and cfg.savings_plan_gbp == 33_100_000
