"""The measure catalog: every published measure declared once, with valid fields."""

import csv

import pytest
import yaml

from helpers.config import PROJECT_ROOT
from helpers.contract import catalog
from helpers.contract.catalog import CatalogError, load_catalog, measure, measures_for

PUBLISHED = list(
    csv.DictReader((PROJECT_ROOT / "tests" / "golden" / "published_tables.csv").open())
)


@pytest.mark.parametrize("row", PUBLISHED, ids=lambda r: f"{r['report']}-{r['measure'][:40]}")
def test_every_published_measure_has_exactly_one_definition_for_its_report_month(row):
    matches = [
        m for m in measures_for(int(row["area"]), row["report"]) if m.title == row["measure"]
    ]
    assert len(matches) == 1, f"{row['measure']!r} for {row['report']}: {[m.id for m in matches]}"
    assert matches[0].unit == row["unit"]


def test_both_definitions_of_repeat_measures_are_held_each_with_its_period():
    old = measures_for(6, "2014-03")
    new = measures_for(6, "2016-09")
    old_ids = {m.id for m in old if m.title == "The number of repeat victims of crime"}
    new_ids = {m.id for m in new if m.title == "The number of repeat victims of crime"}
    assert old_ids == {"repeat_victims_window"} and new_ids == {"repeat_victims"}
    assert measure("repeat_victims").comparable_from is not None


def test_every_measure_has_a_definition_and_valid_fields():
    for m in load_catalog():
        assert m.definition.strip(), m.id
        assert m.unit in catalog.UNITS and m.polarity in catalog.POLARITIES
        assert set(m.levels) <= set(catalog.LEVELS)


def test_reoffending_is_six_months_in_arrears_and_domestic_abuse_comparable_from_april_2013():
    assert measure("youth_reoffending_rate").lag == 6
    assert str(measure("da_incidents").comparable_from) == "2013-04"


def test_unknown_measure_lists_the_known_ones():
    with pytest.raises(KeyError, match="da_incidents"):
        measure("no_such_measure")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "x", "title": "X", "area": 1, "unit": "furlongs", "builder": "b"}, "unit"),
        ({"id": "x", "title": "X", "area": 9, "unit": "count", "builder": "b"}, "area"),
        ({"id": "x", "title": "X", "area": 1, "unit": "count"}, "builder"),
        (
            {"id": "x", "title": "X", "area": 1, "unit": "count", "builder": "b", "colour": 1},
            "unknown key",
        ),
        (
            {
                "id": "x",
                "title": "X",
                "area": 1,
                "unit": "count",
                "builder": "b",
                "levels": ["ward"],
            },
            "levels",
        ),
    ],
)
def test_a_bad_catalog_entry_is_refused_naming_the_measure(tmp_path, entry, message):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump([entry]))
    with pytest.raises(CatalogError, match=message):
        load_catalog.__wrapped__(path)


def test_duplicate_ids_are_refused(tmp_path):
    entry = {"id": "x", "title": "X", "area": 1, "unit": "count", "builder": "b"}
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump([entry, entry]))
    with pytest.raises(CatalogError, match="duplicate"):
        load_catalog.__wrapped__(path)


def _catalog_with(tmp_path, **params):
    """The real catalog with the params of its first measure (da_incidents) replaced."""
    entries = yaml.safe_load(catalog.CATALOG_FILE.read_text(encoding="utf-8"))
    entries[0]["params"] = params
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"flg": "domestic_abuse"}, r"has no parameter 'flg'; it takes flag, grade"),
        ({"flag": "domestic_abuce"}, r"parameter flag: 'domestic_abuce' is not one of"),
        ({"flag": "domestic_abuse", "grade": 7}, r"parameter grade: 7 is not one of 1, 2, 3, 4"),
    ],
)
def test_a_parameter_the_builder_does_not_know_is_refused_when_the_catalog_is_loaded(
    tmp_path, params, message
):
    with pytest.raises(CatalogError, match=rf"'da_incidents': .*{message}"):
        load_catalog.__wrapped__(_catalog_with(tmp_path, **params))


def test_a_builder_without_a_definition_or_a_required_parameter_is_refused(tmp_path):
    entries = yaml.safe_load(catalog.CATALOG_FILE.read_text(encoding="utf-8"))
    entries[0]["builder"] = "count_crimez"
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    with pytest.raises(CatalogError, match="builder 'count_crimez' is not defined"):
        load_catalog.__wrapped__(path)
    satisfaction = next(e for e in entries if e["id"] == "satisfaction_overall")
    entries[0]["builder"] = "count_incidents"
    satisfaction["params"] = {}
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"needs the parameter\(s\) \['question'\]"):
        load_catalog.__wrapped__(path)


def test_every_builder_is_declared_by_a_sql_file_with_the_params_the_catalog_uses():
    declared = catalog.builders()
    for m in load_catalog():
        assert m.builder in declared, m.id
        assert set(m.params) <= set(declared[m.builder].params), m.id
    # flags are spliced into the SQL as column names: each declared one is a column of the contract
    from helpers.contract.extracts import EXTRACTS

    for b in declared.values():
        flag = b.params.get("flag")
        if flag is not None:
            columns = {c.name for s in b.sources for c in EXTRACTS[s].columns if c.type == "bool"}
            assert set(flag.allowed) <= columns, b.name


COUNT = {"title": "X", "area": 5, "unit": "count", "builder": "ksi"}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"id": "t", **COUNT, "parts": ["a"]}], "two or more"),
        ([{"id": "t", **COUNT, "parts": ["a", "b"]}, {"id": "a", **COUNT}], "unknown measure"),
        ([{"id": "t", **COUNT, "within": "t"}], "itself"),
        ([{"id": "t", **COUNT, "within": ["a"]}, {"id": "a", **COUNT}], "one measure"),
        (
            [{"id": "t", **COUNT, "within": "a"}, {"id": "a", **COUNT, "unit": "percent"}],
            "not a count",
        ),
        ([{"id": "t", **COUNT, "within": "a", "lag": 6}, {"id": "a", **COUNT}], "arrears"),
        ([{"id": "t", **COUNT, "rate_of": {"numerator": "a"}}, {"id": "a", **COUNT}], "percent"),
        (
            [
                {"id": "t", **COUNT, "unit": "percent", "rate_of": {"top": "a"}},
                {"id": "a", **COUNT},
            ],
            "numerator and/or denominator",
        ),
    ],
)
def test_a_relation_between_measures_that_cannot_hold_is_refused(tmp_path, entries, message):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(entries))
    with pytest.raises(CatalogError, match=message):
        load_catalog.__wrapped__(path)


def test_relations_may_name_the_disposals_the_outcome_breakdown_adds():
    from helpers.contract.catalog import DERIVED_IDS

    m = next(m for m in load_catalog() if m.id == "outcomes_solved")
    assert m.parts == DERIVED_IDS and len(DERIVED_IDS) == 8


def _money(**kw) -> dict:
    entry = {"id": "x", "title": "X", "area": 7, "unit": "money", "builder": "savings"}
    entry.update(kw)
    return entry


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_money(compare="budget", polarity="higher_better"), r"compare 'budget' not in"),
        (_money(compare="plan", unit="count"), "compare: plan is for money measures"),
        (_money(compare="plan"), "compare: plan needs a polarity"),
        (
            _money(compare="plan", polarity="higher_better", msg=True),
            "compare: plan has no confidence interval",
        ),
        (_money(requirement="savings_requirement"), "requirement is for compare: plan only"),
        (
            _money(compare="plan", polarity="higher_better", requirement="savings_target"),
            "requirement 'savings_target' is not a plan total",
        ),
    ],
)
def test_a_plan_comparison_the_cube_cannot_make_is_refused_at_load(tmp_path, entry, message):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump([entry]))
    with pytest.raises(CatalogError, match=rf"'x': {message}"):
        load_catalog.__wrapped__(path)


def test_savings_are_compared_with_the_plan_and_everything_else_with_last_year(tmp_path):
    by_plan = [m.id for m in load_catalog() if m.compare == "plan"]
    assert by_plan == ["savings_delivered"]
    assert measure("savings_delivered").requirement == "savings_requirement"
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump([_money(compare="plan", polarity="higher_better")]))
    (m,) = load_catalog.__wrapped__(path)
    assert (m.compare, m.requirement) == ("plan", None)
