"""helpers.profile: a force profile folder is checked when loaded, and every refusal names the file,
the key or column and example rows; profile_for picks the folder a run uses."""

from __future__ import annotations

import re
import shutil

import pytest

from helpers import config
from helpers.config import DEMO_PROFILE_DIR, ConfigError
from helpers.profile import Profile, ProfileError, load_profile, profile_for

DISTRICTS = "district,lpa,population_2016\nMaidstone,West,171800\nDover,East,116400\n"
MSG = "force,police_uk_slug,population_2016\nKent Police,kent,1815000\nEssex Police,essex,1801000\n"


@pytest.fixture
def profile(tmp_path):
    """A copy of the demo profile to break."""
    folder = tmp_path / "profile"
    shutil.copytree(DEMO_PROFILE_DIR, folder)
    return folder


def refused(folder, *fragments: str) -> str:
    """Load ``folder``, expect a ProfileError holding every fragment, and return the message."""
    with pytest.raises(ProfileError) as info:
        load_profile(folder)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ----------------------------------------------------------------------------------- the demo
def test_the_demo_profile_loads():
    p = load_profile()
    assert isinstance(p, Profile)
    assert p.folder == DEMO_PROFILE_DIR and p.name == "profiles/demo"
    assert p.force.force_name == "Essex Police (demo force)" and p.force.short_name == "Essex"
    assert len(p.districts) == 14
    assert sorted(set(p.districts["lpa"])) == ["North", "South", "West"]
    assert p.districts["population_2016"].notna().all()
    assert p.home_force == "Essex Police"
    assert list(p.msg_forces["police_uk_slug"])[0] == "essex"
    assert len(p.msg_forces) - 1 == 7  # the peers
    assert p.aliases == {}
    assert p.commentary_dir == DEMO_PROFILE_DIR / "commentary" and p.commentary_dir.is_dir()
    again = load_profile("profiles/demo")  # a relative folder: from the project root
    assert again.folder == p.folder and again.fingerprint() == p.fingerprint()


def test_a_profile_is_an_error_of_the_configuration_kind():
    assert issubclass(ProfileError, ConfigError)  # the pack reports both the same way


def test_a_hand_written_profile_loads_with_empty_district_populations(tmp_path):
    folder = tmp_path / "kent"
    shutil.copytree(DEMO_PROFILE_DIR, folder)
    (folder / "districts.csv").write_text(
        "district,lpa,population_2016\nMaidstone,Kent,\nDover,Kent,"
    )
    (folder / "msg_forces.csv").write_text(MSG.replace("1815000", '"1,815,000"'))
    (folder / "district_aliases.csv").write_text("alias,district\n Shepway , Dover \n")
    p = load_profile(folder)
    assert list(p.districts["district"]) == ["Maidstone", "Dover"]
    assert p.districts["population_2016"].isna().all()
    assert list(p.msg_forces["population_2016"]) == [1815000.0, 1801000.0]
    assert p.home_force == "Kent Police"
    assert p.aliases == {"Shepway": "Dover"}  # cells are stripped


def test_the_fingerprint_follows_the_files_the_figures_depend_on(profile):
    before = load_profile(profile).fingerprint()
    assert load_profile(profile).fingerprint() == before
    (profile / "commentary" / "README.md").write_text("changed")
    assert load_profile(profile).fingerprint() == before  # commentary: not a figure
    edit(profile / "districts.csv", "Basildon,West,183200", "Basildon,West,183201")
    changed = load_profile(profile).fingerprint()
    assert changed != before
    (profile / "district_aliases.csv").write_text("alias,district\nBasildon Town,Basildon\n")
    assert load_profile(profile).fingerprint() != changed


# ------------------------------------------------------------------------- missing files
def test_a_missing_profile_folder_is_refused_naming_it(tmp_path):
    message = refused(
        tmp_path / "no_such_profile", f"profile {tmp_path / 'no_such_profile'} not found"
    )
    assert "force.yaml, districts.csv and msg_forces.csv" in message
    refused("profiles/nothing", "profile profiles/nothing not found")


def test_a_file_in_place_of_the_folder_is_refused(tmp_path):
    (tmp_path / "profile").write_text("not a folder")
    refused(tmp_path / "profile", "not found: a profile is a folder")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("force.yaml", "force.yaml not found: the force configuration is required"),
        (
            "districts.csv",
            "districts.csv not found: a profile needs district, lpa, population_2016",
        ),
        (
            "msg_forces.csv",
            "msg_forces.csv not found: a profile needs force, police_uk_slug, population_2016",
        ),
    ],
)
def test_a_missing_file_is_named(profile, name, fragment):
    (profile / name).unlink()
    message = refused(profile, fragment)
    assert message.startswith(str(profile / name))


def test_the_aliases_file_is_optional(profile):
    assert not (profile / "district_aliases.csv").exists()
    assert load_profile(profile).aliases == {}


# ------------------------------------------------------------------------------- the tables
@pytest.mark.parametrize(
    ("name", "header", "missing", "found"),
    [
        ("districts.csv", "district,area,population_2016", "'lpa'", "'district', 'area'"),
        ("msg_forces.csv", "force,slug,population_2016", "'police_uk_slug'", "'force', 'slug'"),
    ],
)
def test_a_missing_column_is_named_with_the_columns_found(profile, name, header, missing, found):
    path = profile / name
    lines = path.read_text().splitlines()
    path.write_text("\n".join([header, *lines[1:]]) + "\n")
    message = refused(profile, f"{path}: no column {missing}", f"found {found}")
    assert f"the columns must be {', '.join(lines[0].split(','))}" in message


def test_an_empty_population_in_msg_forces_is_refused_with_example_rows(profile):
    edit(profile / "msg_forces.csv", "derbyshire,1043000", "derbyshire,")
    edit(profile / "msg_forces.csv", "sussex,1680000", "sussex, ")
    refused(
        profile,
        f"{profile / 'msg_forces.csv'}: column 'population_2016' is empty in 2 row(s)",
        "row 4: 'Derbyshire Constabulary'; row 9: 'Sussex Police'",
        "needs its residents",
    )


@pytest.mark.parametrize("bad", ["about a million", "-5", "0", "1043000.5"])
def test_a_population_that_is_not_a_number_of_residents_is_refused(profile, bad):
    edit(profile / "msg_forces.csv", "derbyshire,1043000", f"derbyshire,{bad}")
    refused(
        profile,
        f"{profile / 'msg_forces.csv'}: column 'population_2016' is not a whole number",
        f"1 row(s) (row 4: '{bad}')",
    )


def test_a_district_population_that_is_not_a_number_is_refused(profile):
    edit(profile / "districts.csv", "Maldon,North,63300", "Maldon,North,63k")
    refused(profile, "districts.csv: column 'population_2016' is not a whole number", "'63k'")


def test_a_duplicated_district_is_refused_naming_both_rows(profile):
    with (profile / "districts.csv").open("a") as f:
        f.write("Basildon,South,1000\n")
    refused(
        profile,
        f"{profile / 'districts.csv'}: column 'district' lists a name more than once",
        "row 2: 'Basildon'; row 16: 'Basildon'",
    )


def test_a_force_listed_twice_in_msg_forces_is_refused(profile):
    with (profile / "msg_forces.csv").open("a") as f:
        f.write("Sussex Police,sussex-again,1680000\n")
    refused(profile, "msg_forces.csv: column 'force' lists a name more than once", "row 10")


@pytest.mark.parametrize("name", ["Force", "Unassigned"])
def test_a_district_named_like_a_level_is_refused(profile, name):
    with (profile / "districts.csv").open("a") as f:
        f.write(f"{name},North,1000\n")
    refused(
        profile, "districts.csv: Force and Unassigned are not district or LPA names", f"'{name}'"
    )


def test_an_lpa_named_unassigned_is_refused(profile):
    edit(profile / "districts.csv", "Maldon,North", "Maldon,Unassigned")
    refused(profile, "are not district or LPA names", "'Maldon'")


def test_a_district_named_like_another_lpa_is_refused(profile):
    with (profile / "districts.csv").open("a") as f:
        f.write("North,South,1000\n")
    refused(profile, "a district has the name of another LPA", "'North'")


def test_an_empty_name_is_refused_with_its_row(profile):
    edit(profile / "districts.csv", "Maldon,North", "Maldon,")
    refused(profile, "districts.csv: column 'lpa' is empty in 1 row(s) (row 10: '')")


def test_a_table_with_no_rows_is_refused(profile):
    (profile / "districts.csv").write_text("district,lpa,population_2016\n")
    refused(profile, "districts.csv: no rows (list at least one district)")


def test_a_table_that_is_not_utf8_is_refused(profile):
    (profile / "districts.csv").write_bytes(DISTRICTS.replace("Dover", "Dovér").encode("cp1252"))
    refused(profile, "districts.csv: not UTF-8 text")


def test_an_alias_to_an_unknown_district_is_refused(profile):
    (profile / "district_aliases.csv").write_text(
        "alias,district\nBasildon Town,Basildon\nShepway,Folkestone and Hythe\n"
    )
    refused(
        profile,
        f"{profile / 'district_aliases.csv'}: column 'district' names a district that "
        "districts.csv does not list (row 3: 'Folkestone and Hythe')",
    )


def test_an_alias_listed_twice_is_refused(profile):
    (profile / "district_aliases.csv").write_text(
        "alias,district\nShepway,Basildon\nShepway,Maldon\n"
    )
    refused(profile, "district_aliases.csv: column 'alias' lists a name more than once")


# ------------------------------------------------------------------------------- force.yaml
@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "max_data_warnings: null",
            "max_data_warnings: null\nmsg_forces: [Essex Police, Kent Police]",
            "key 'msg_forces' is no longer read: the Most Similar Group is msg_forces.csv of the "
            "profile",
        ),
        (
            "financial_year_start_month: 4",
            "financial_year_start_month: 1",
            "key 'financial_year_start_month' is 1; the measures support an April start only",
        ),
        (
            "max_unassigned_share: 0.05",
            "max_unassigned_share: 1.5",
            "key 'max_unassigned_share' must be a share from 0 to below 1",
        ),
        ("short_name: Essex", "short_nmae: Essex", "unknown key(s) ['short_nmae']"),
        ("suppress_below: null\n", "", "missing key(s) ['suppress_below']"),
    ],
)
def test_a_bad_force_yaml_is_refused_naming_the_file_and_key(profile, old, new, fragment):
    edit(profile / "force.yaml", old, new)
    message = refused(profile, fragment)
    assert message.startswith(f"{profile / 'force.yaml'}: ")


def test_the_msg_forces_refusal_says_what_to_do(profile):
    edit(profile / "force.yaml", "suppress_below: null", "suppress_below: null\nmsg_forces: []")
    message = refused(profile, "delete the key")
    assert re.search(
        r"force, police_uk_slug, population_2016; the force itself on the first", message
    )


# ------------------------------------------------------------------------------- profile_for
def test_profile_for_prefers_the_profile_named(tmp_path):
    (tmp_path / "profile").mkdir()
    (tmp_path / "profile" / "force.yaml").write_text("x: 1\n")
    assert profile_for(tmp_path, "profiles/demo") == DEMO_PROFILE_DIR
    assert profile_for(tmp_path, tmp_path / "elsewhere") == tmp_path / "elsewhere"


def test_profile_for_picks_the_data_folders_profile_when_it_has_force_yaml(tmp_path):
    own = tmp_path / "data" / "profile"
    own.mkdir(parents=True)
    assert profile_for(tmp_path / "data", None) == DEMO_PROFILE_DIR  # a folder without force.yaml
    (own / "force.yaml").write_text("force_name: Kent Police\n")
    assert profile_for(tmp_path / "data", None) == own
    assert profile_for(tmp_path / "data", "") == own


def test_profile_for_falls_back_to_the_demo_only_for_a_folder_without_a_profile(tmp_path):
    assert profile_for(tmp_path, None) == DEMO_PROFILE_DIR
    assert profile_for(None, None) == DEMO_PROFILE_DIR  # the demo data
    assert profile_for("data/demo", None) == config.DEMO_PROFILE_DIR
