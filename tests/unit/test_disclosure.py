"""Disclosure control: small figures withheld (primary), protected from subtraction (secondary),
off by default, the force never withheld; CSV cells that cannot run as formulas."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from support.extract_rows import crime

from helpers import config
from helpers.analysis import disclosure, performance
from helpers.analysis.disclosure import SuppressionError, csv_safe, csv_safe_value, suppress
from helpers.config import DEMO_DATA_DIR, ForceConfig
from helpers.contract import catalog
from helpers.geography import FORCE
from helpers.measures.cube import Reference, build_cube

#: Force → LPAs North (N1, N2, N3) and South (S1, S2).
HIERARCHY = [
    ("force", FORCE, None),
    ("lpa", "North", "North"),
    ("lpa", "South", "South"),
    ("district", "N1", "North"),
    ("district", "N2", "North"),
    ("district", "N3", "North"),
    ("district", "S1", "South"),
    ("district", "S2", "South"),
]
LEVEL = {g: lv for lv, g, _ in HIERARCHY}
LPA_OF = {g: lpa for lv, g, lpa in HIERARCHY if lv == "district"}
DISTRICTS = [g for lv, g, _ in HIERARCHY if lv == "district"]
LPAS = ["North", "South"]


def count_rows(this: dict[str, float], last: dict[str, float] | None = None, mid="ksi_fatal"):
    """A long frame (as tables.csv) for one count measure given the district figures."""
    last = last or {d: 50.0 for d in this}

    def totals(fig):
        out = dict(fig)
        for lpa in LPAS:
            out[lpa] = sum(v for d, v in fig.items() if LPA_OF[d] == lpa)
        out[FORCE] = sum(fig.values())
        return out

    t, ly = totals(this), totals(last)
    geos = [FORCE, *LPAS, *DISTRICTS]
    return pd.DataFrame(
        {
            "measure_id": mid,
            "unit": "count",
            "geography_level": [LEVEL[g] for g in geos],
            "geography": geos,
            "last_year": [ly[g] for g in geos],
            "this_year": [t[g] for g in geos],
            "change": [Decimal("1.0")] * len(geos),
            "since_last_month": ["Improved (1.0% pt.)"] * len(geos),
            "note": "",
        }
    )


def sup(frame, threshold):
    return suppress(frame, threshold, hierarchy=HIERARCHY)


def withheld(out: pd.DataFrame) -> set[str]:
    return set(out.loc[out["suppressed"], "geography"])


def one_cell_groups(out: pd.DataFrame) -> list[str]:
    """Groups adding up to a published total that hold exactly one withheld figure (recoverable)."""
    bad = []
    for mid, f in out.groupby("measure_id"):
        w = set(f.loc[f["suppressed"], "geography"])
        groups = {"LPAs of the force": LPAS, "districts of the force": DISTRICTS}
        groups |= {
            f"districts of {lpa}": [d for d in DISTRICTS if LPA_OF[d] == lpa] for lpa in LPAS
        }
        for name, members in groups.items():
            if len(w & set(members)) == 1:
                bad.append(f"{mid}: {name}")
    return bad


# ---------------------------------------------------------------------------------------- defaults


def test_suppression_is_off_by_default():
    assert ForceConfig().suppress_below is None
    assert config.force_config().suppress_below is None  # params/force.yaml ships with null
    out = sup(count_rows({"N1": 1, "N2": 2, "N3": 30, "S1": 40, "S2": 50}), None)
    assert not out["suppressed"].any()
    assert (
        out["this_year"].tolist()
        == count_rows({"N1": 1, "N2": 2, "N3": 30, "S1": 40, "S2": 50})["this_year"].tolist()
    )


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "5"])
def test_a_threshold_that_is_not_a_positive_whole_number_is_refused(bad):
    with pytest.raises(SuppressionError, match="whole number"):
        sup(count_rows({"N1": 1, "N2": 2, "N3": 30, "S1": 40, "S2": 50}), bad)


# ---------------------------------------------------------------------------------------- primary


@pytest.mark.parametrize(
    ("value", "expected"), [(0, True), (1, True), (4, True), (5, False), (6, False)]
)
def test_a_district_count_below_the_threshold_is_withheld(value, expected):
    out = sup(count_rows({"N1": value, "N2": 20, "N3": 30, "S1": 40, "S2": 50}), 5)
    assert ("N1" in withheld(out)) is expected


def test_last_years_small_count_withholds_the_row_too():
    out = sup(
        count_rows(
            {"N1": 20, "N2": 25, "N3": 30, "S1": 40, "S2": 50},
            last={"N1": 2, "N2": 25, "N3": 30, "S1": 40, "S2": 50},
        ),
        5,
    )
    assert "N1" in withheld(out)


def test_the_force_figure_is_never_withheld_even_when_small():
    out = sup(count_rows({"N1": 0, "N2": 1, "N3": 0, "S1": 1, "S2": 1}), 5)
    force = out[out.geography == FORCE].iloc[0]
    assert not force.suppressed
    assert force.this_year == 3
    assert withheld(out) == {"North", "South", *DISTRICTS}


def test_a_withheld_row_loses_every_figure_and_says_why():
    out = sup(count_rows({"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 50}), 5)
    r = out[out.geography == "N1"].iloc[0]
    assert np.isnan(r.this_year) and np.isnan(r.last_year)
    assert r.change is None  # last year and the change would give this year back
    assert r.since_last_month == disclosure.MARK
    assert r.suppression_reason == "suppressed: based on a count below 5"
    assert r.note == r.suppression_reason
    secondary = out[out.suppression_reason.str.contains("cannot be worked out")]
    assert len(secondary) == 1


def rate_rows(num: float, den: float, unit="percent") -> pd.DataFrame:
    geos = [FORCE, *LPAS, *DISTRICTS]
    frame = pd.DataFrame(
        {
            "measure_id": "solved_rate",
            "unit": unit,
            "geography": geos,
            "last_year": 30.0,
            "this_year": 30.0,
            "last_numerator": 300.0,
            "last_denominator": 1000.0,
            "this_numerator": 300.0,
            "this_denominator": 1000.0,
        }
    )
    frame.loc[frame.geography == "S2", ["this_numerator", "this_denominator"]] = (num, den)
    return frame


@pytest.mark.parametrize(
    ("unit", "num", "den", "expected"),
    [
        ("percent", 3, 100, True),  # few solved
        ("percent", 3, 4, True),  # few crimes
        ("percent", 30, 100, False),
        ("rate", 2, 100_000, True),  # crimes per 1,000 on two crimes
        ("seconds", 3_000, 4, True),  # an average over four incidents
        ("seconds", 3, 40, False),  # a few seconds in all, over many incidents
    ],
)
def test_a_rate_or_average_resting_on_a_small_count_is_withheld(unit, num, den, expected):
    out = suppress(rate_rows(num, den, unit), 5, hierarchy=HIERARCHY)
    assert ("S2" in withheld(out)) is expected


def test_a_rate_without_its_counts_cannot_be_checked():
    frame = rate_rows(3, 4).drop(columns=["this_numerator"])
    with pytest.raises(SuppressionError, match="this_numerator"):
        suppress(frame, 5, hierarchy=HIERARCHY)


def test_an_unknown_geography_is_an_error():
    frame = count_rows({"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 50})
    frame.loc[3, "geography"] = "Atlantis"
    with pytest.raises(SuppressionError, match="Atlantis"):
        suppress(frame, 5, hierarchy=HIERARCHY)


# ---------------------------------------------------------------------------------------- secondary


def test_one_withheld_district_takes_the_next_smallest_of_its_groups_with_it():
    out = sup(count_rows({"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 50}), 5)
    # N2 is the smallest other district of the force and of North
    assert withheld(out) == {"N1", "N2"}
    assert one_cell_groups(out) == []


def test_withheld_figures_cannot_be_recovered_by_subtraction():
    this = {"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 3}
    out = sup(count_rows(this), 5)
    assert one_cell_groups(out) == []
    shown = out[~out.suppressed].set_index("geography")["this_year"]
    force = shown[FORCE]
    for group in (DISTRICTS, *[[d for d in DISTRICTS if LPA_OF[d] == lpa] for lpa in LPAS]):
        total = force if group is DISTRICTS else shown.get(LPA_OF[group[0]])
        if total is None:
            continue
        rest = total - sum(shown[g] for g in group if g in shown.index)
        for g in set(group) & withheld(out):
            assert rest != this[g], f"{g} = {total} − the shown figures of {group}"


def test_a_withheld_lpa_takes_one_of_its_districts_with_it():
    # South (3) is small, so all its districts are; North (60) is the complement of South but
    # would be the sum of its shown districts, so one of them goes too, then a second
    out = sup(count_rows({"N1": 10, "N2": 20, "N3": 30, "S1": 1, "S2": 2}), 5)
    assert {"South", "S1", "S2", "North"} <= withheld(out)
    north_districts = withheld(out) & {"N1", "N2", "N3"}
    assert len(north_districts) >= 2
    assert "N1" in north_districts  # the smallest first
    assert one_cell_groups(out) == []


def test_an_unavailable_figure_is_never_chosen_to_protect_another():
    frame = count_rows({"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 50})
    frame.loc[frame.geography == "N2", ["last_year", "this_year"]] = np.nan
    out = sup(frame, 5)
    assert "N2" not in withheld(out)
    assert withheld(out) == {"N1", "N3"}


def test_unassigned_is_withheld_when_small_but_never_protects_another():
    hierarchy = [*HIERARCHY, ("district", "Unassigned", None)]
    frame = count_rows({"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 50})
    frame = pd.concat(
        [frame, frame.iloc[[-1]].assign(geography="Unassigned", this_year=1.0, last_year=1.0)],
        ignore_index=True,
    )
    out = suppress(frame, 5, hierarchy=hierarchy)
    assert withheld(out) == {"N1", "N2", "Unassigned"}


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_no_group_ever_holds_a_single_withheld_figure(seed, threshold):
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(4):
        this = dict(
            zip(DISTRICTS, rng.poisson(rng.choice([2, 6, 15]), 5).astype(float), strict=True)
        )
        last = dict(
            zip(DISTRICTS, rng.poisson(rng.choice([2, 6, 15]), 5).astype(float), strict=True)
        )
        frames.append(count_rows(this, last, mid=f"m{k}"))
    out = sup(pd.concat(frames, ignore_index=True), threshold)
    assert one_cell_groups(out) == []
    assert disclosure.group_violations(out, HIERARCHY) == []
    assert not out.loc[out.geography == FORCE, "suppressed"].any()
    small = out.geography.ne(FORCE) & pd.concat(frames, ignore_index=True)[
        ["last_year", "this_year"]
    ].lt(threshold).any(axis=1)
    assert out.loc[small, "suppressed"].all()


def test_geography_frames_in_give_geography_frames_out():
    long = count_rows({"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 50})
    frames = {
        g: f.drop(columns=["geography", "geography_level"]).reset_index(drop=True)
        for g, f in long.groupby("geography", sort=False)
    }
    out = suppress(frames, 5, hierarchy=HIERARCHY)
    assert list(out) == list(frames)
    assert "geography" not in out["N1"].columns
    assert out["N1"]["suppressed"].tolist() == [True]
    assert out[FORCE]["suppressed"].tolist() == [False]


def test_footnote_says_what_was_withheld_and_why():
    out = sup(count_rows({"N1": 2, "N2": 20, "N3": 30, "S1": 40, "S2": 50}), 5)
    note = disclosure.footnote(out, 5)
    assert note.startswith("Figures marked [c] are not published")
    assert "below 5" in note and "force total" in note and "(2 figures withheld)" in note
    assert disclosure.footnote(sup(out.iloc[:1], 5), 5) is None
    assert disclosure.footnote(out) == note  # the threshold read from the reasons


# ------------------------------------------------------------------------- related measures


def related_rows(figures: dict[str, dict[str, float]]) -> pd.DataFrame:
    """count_rows for several measures at once: measure → district figures."""
    return pd.concat(
        [count_rows(this, dict(this), mid=mid) for mid, this in figures.items()], ignore_index=True
    )


def shown(out: pd.DataFrame) -> dict[tuple[str, str], float]:
    rows = out[~out.suppressed]
    return dict(zip(zip(rows.measure_id, rows.geography, strict=True), rows.this_year, strict=True))


def test_a_withheld_part_takes_another_figure_of_its_total_with_it():
    # road deaths are few everywhere; KSI all and KSI serious would give them back (all − serious)
    fatal = {"N1": 1, "N2": 2, "N3": 1, "S1": 2, "S2": 1}
    serious = {"N1": 40, "N2": 45, "N3": 50, "S1": 55, "S2": 60}
    ksi = {d: fatal[d] + serious[d] for d in fatal}
    out = sup(related_rows({"ksi_fatal": fatal, "ksi_serious": serious, "ksi_all": ksi}), 5)
    published = shown(out)
    for g in [*DISTRICTS, *LPAS]:
        assert ("ksi_fatal", g) not in published
        assert ("ksi_all", g) not in published or ("ksi_serious", g) not in published, g
    assert ("ksi_fatal", FORCE) in published  # the force is never withheld
    assert one_cell_groups(out) == []


def test_a_small_rest_withholds_a_figure_that_would_give_it():
    # all crime less victim-based crime is a count no table prints: two in N1 would be disclosed
    victim_based = {"N1": 60, "N2": 70, "N3": 80, "S1": 90, "S2": 95}
    other = {"N1": 2, "N2": 20, "N3": 25, "S1": 30, "S2": 35}
    all_crime = {d: victim_based[d] + other[d] for d in other}
    out = sup(related_rows({"all_crime": all_crime, "victim_based_crime": victim_based}), 5)
    published = shown(out)
    assert ("all_crime", "N1") not in published or ("victim_based_crime", "N1") not in published
    assert not out.loc[out.geography == FORCE, "suppressed"].any()
    # and what was withheld is protected in its turn
    assert one_cell_groups(out) == []
    assert "cannot be worked out" in " ".join(out.suppression_reason)


def test_a_rate_is_withheld_where_its_published_counts_would_give_it_and_back():
    """Re-offending rate = re-offenders ÷ offenders: any two of the three give the third."""
    offenders = {"N1": 50, "N2": 60, "N3": 70, "S1": 80, "S2": 90}
    reoffenders = {"N1": 3, "N2": 20, "N3": 25, "S1": 30, "S2": 35}
    frame = related_rows({"youth_offenders": offenders, "youth_reoffenders": reoffenders})
    counts = frame.set_index(["measure_id", "geography"])["this_year"]
    geos = [FORCE, *LPAS, *DISTRICTS]
    rate = pd.DataFrame(
        {
            "measure_id": "youth_reoffending_rate",
            "unit": "percent",
            "geography": geos,
            **{
                f"{w}_year": [
                    100 * counts["youth_reoffenders", g] / counts["youth_offenders", g]
                    for g in geos
                ]
                for w in ("last", "this")
            },
            **{
                f"{w}_{part}": [counts[mid, g] for g in geos]
                for w in ("last", "this")
                for part, mid in (
                    ("numerator", "youth_reoffenders"),
                    ("denominator", "youth_offenders"),
                )
            },
        }
    )
    out = sup(pd.concat([frame, rate], ignore_index=True), 5)
    withheld_ = set(
        zip(
            out.loc[out.suppressed, "measure_id"], out.loc[out.suppressed, "geography"], strict=True
        )
    )
    for g in [*DISTRICTS, *LPAS]:
        trio = {("youth_offenders", g), ("youth_reoffenders", g), ("youth_reoffending_rate", g)}
        assert len(trio & withheld_) != 1, (g, trio & withheld_)
    assert ("youth_reoffenders", "N1") in withheld_


def test_relations_come_from_the_catalog_and_name_known_measures():
    rels = disclosure.relations()
    kinds = {(r.kind, r.measure, r.members) for r in rels}
    assert ("parts", "ksi_all", ("ksi_fatal", "ksi_serious")) in kinds
    assert ("within", "all_crime", ("victim_based_crime",)) in kinds
    assert ("rate_of", "solved_rate", ("outcomes_solved", "all_crime")) in kinds
    assert ("parts", "outcomes_solved", catalog.DERIVED_IDS) in kinds
    known = {m.id for m in catalog.load_catalog()} | set(catalog.DERIVED_IDS)
    assert all({r.measure, *r.members} <= known for r in rels)
    assert disclosure.relations({"ksi_all", "ksi_fatal"}) == []  # serious is not there


@pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(),
    reason="demo data not generated (python -m helpers.sources.demo writes data/demo/.complete)",
)
def test_the_declared_relations_hold_and_no_other_sum_goes_undeclared_on_the_demo_force():
    """parts add up exactly, within is never more than its total, a rate is its counts' ratio;
    and no count of the demo cube is the sum (or difference) of two others unless declared."""
    from helpers.measures.cube import load_cube

    cube = load_cube(DEMO_DATA_DIR)
    f = cube.frame[cube.frame["window"] == "month"]
    num = f.pivot_table(
        index=["geography", "month"], columns="measure_id", values="numerator", aggfunc="sum"
    )
    den = f.pivot_table(
        index=["geography", "month"], columns="measure_id", values="denominator", aggfunc="sum"
    )
    for r in disclosure.relations():
        if r.kind == "parts":
            gap = (num[r.measure] - num[list(r.members)].sum(axis=1, min_count=1)).dropna()
            assert len(gap) and (gap == 0).all(), r
        elif r.kind == "within":
            rest = (num[r.measure] - num[r.members[0]]).dropna()
            assert len(rest) and (rest >= 0).all(), r
        else:
            m = catalog.measure(r.measure)
            sides = dict(zip(("numerator", "denominator"), (num, den), strict=True))
            for side, member in m.rate_of.items():
                gap = (sides[side][r.measure] - num[member]).dropna()
                assert len(gap) and (gap == 0).all(), (r, side)
    counts = [
        mid
        for mid in num.columns
        if cube.measures.set_index("measure_id").loc[mid, "unit"] == "count"
        and num[mid].notna().sum() > 100
        and num[mid].fillna(0).ne(0).any()
    ]
    values = num[counts].fillna(0).to_numpy()
    declared = {
        (r.measure, frozenset(r.members)) for r in disclosure.relations() if r.kind == "parts"
    }
    undeclared = []
    for i, j in itertools.combinations(range(len(counts)), 2):
        total = values[:, i] + values[:, j]
        for k in np.flatnonzero((values == total[:, None]).all(axis=0)):
            if (counts[k], frozenset({counts[i], counts[j]})) not in declared:
                undeclared.append(f"{counts[k]} = {counts[i]} + {counts[j]}")
    assert not undeclared, undeclared


# ---------------------------------------------------------------------------------------- via a cube

REF = Reference(
    pd.DataFrame(
        {
            "district": ["A1", "A2", "B1", "B2"],
            "lpa": ["North", "North", "South", "South"],
            "population_2016": [1000, 2000, 3000, 4000],
        }
    ),
    pd.DataFrame({"force": ["Home Force"], "police_uk_slug": ["h"], "population_2016": [100_000]}),
)


@pytest.fixture(scope="module")
def small_cube():
    """Crimes every month 2014-2016: A1, B1 and B2 busy (half of them victim-based, so that every
    month's figures and what they leave over are above 5), A2 three a year."""
    rows = []
    for m in pd.period_range("2014-01", "2016-12", freq="M"):
        for d, n in (("A1", 10), ("B1", 12), ("B2", 10)):
            rows += [
                crime(f"{d}-{m}-{i}", f"{m}-{i + 1:02d}", d, victim_based=i % 2 == 0)
                for i in range(n)
            ]
        if m.month in (2, 6, 10):
            rows.append(crime(f"A2-{m}", f"{m}-15", "A2"))
    df = pd.DataFrame(rows)
    for c in ("recorded_date", "outcome_date"):
        df[c] = pd.to_datetime(df[c])
    return build_cube({"crimes": df}, REF)


def test_tables_csv_withholds_small_district_figures_and_their_complements(small_cube):
    t = performance.tables_csv(small_cube, "2016-09", "rolling-12m", suppress_below=5)
    crimes = t[t.measure_id == "all_crime"].set_index("geography")
    assert crimes.loc["A2", "suppressed"] and np.isnan(crimes.loc["A2", "this_year"])
    # A1, the only other district of North, protects A2 within North and within the force
    assert crimes.loc["A1", "suppressed"]
    assert not crimes.loc[["B1", "B2", "North", "South"], "suppressed"].any()
    assert not crimes.loc[FORCE, "suppressed"] and crimes.loc[FORCE, "this_year"] == 387
    assert disclosure.group_violations(t, small_cube) == []
    assert {"suppressed", "suppression_reason"} <= set(t.columns)
    # the counts behind the figures are not published
    assert not set(disclosure.COUNT_COLUMNS) & set(t.columns)


def test_tables_csv_and_rows_follow_the_force_configuration(small_cube, monkeypatch):
    t = performance.tables_csv(small_cube, "2016-09", "rolling-12m")
    assert not t["suppressed"].any()  # null in params/force.yaml
    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(suppress_below=5))
    t = performance.tables_csv(small_cube, "2016-09", "rolling-12m")
    assert t.loc[(t.measure_id == "all_crime") & (t.geography == "A2"), "suppressed"].item()
    rows = performance.performance_rows(small_cube, 6, "2016-09", "rolling-12m", "A2")
    assert rows.set_index("measure_id").loc["all_crime", "suppressed"]
    assert "below 5" in rows.set_index("measure_id").loc["all_crime", "note"]
    off = performance.tables_csv(small_cube, "2016-09", "rolling-12m", suppress_below=0)
    assert not off["suppressed"].any()


def test_performance_rows_of_a_district_match_the_all_geography_suppression(small_cube):
    tables = performance.performance_table_for_all_geographies(
        small_cube, 6, "2016-09", "rolling-12m", suppress_below=5
    )
    csv = performance.tables_csv(small_cube, "2016-09", "rolling-12m", suppress_below=5)
    for g, rows in tables.items():
        assert list(rows.columns) == performance.ROW_COLUMNS
        mine = rows.set_index("measure_id")["suppressed"]
        theirs = csv[(csv.geography == g) & csv.measure_id.isin(mine.index)].set_index(
            "measure_id"
        )["suppressed"]
        assert mine.loc[theirs.index].tolist() == theirs.tolist(), g
    force = tables[FORCE].set_index("measure_id")
    assert not force["suppressed"].any()


@pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(),
    reason="demo data not generated (python -m helpers.sources.demo writes data/demo/.complete)",
)
@pytest.mark.parametrize("period", ["rolling-12m", "fytd"])
def test_demo_pack_tables_are_safe_at_a_threshold_of_ten(period):
    from helpers.measures.cube import load_cube

    cube = load_cube(DEMO_DATA_DIR)
    plain = performance.tables_csv(cube, "2016-09", period, suppress_below=0)
    t = performance.tables_csv(cube, "2016-09", period, suppress_below=10)
    assert t["suppressed"].sum() > 0  # KSI by district are small
    assert disclosure.group_violations(t, cube) == []
    assert not t.loc[t.geography_level == "force", "suppressed"].any()
    below = plain[plain.geography_level != "force"]
    small = below[below[["last_year", "this_year"]].lt(10).any(axis=1)]
    merged = small.merge(t, on=["measure_id", "geography"], suffixes=("", "_t"))
    units = {m.id: m.unit for m in catalog.load_catalog()}
    merged = merged[merged.measure_id.map(units) == "count"]
    assert len(merged) and merged["suppressed_t"].all()


# ---------------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_formula_like_text_is_prefixed_with_a_quote(text):
    assert csv_safe_value(text) == "'" + text
    assert disclosure.is_formula_like(text)


def test_csv_safe_leaves_numbers_and_plain_text_alone():
    df = pd.DataFrame(
        {
            "geography": ["North", "=cmd|' /C calc'!A0", None],
            "change": [Decimal("-3.2"), None, Decimal("1.0")],
            "this_year": [-1.5, np.nan, 3.0],
            "=evil": [1, 2, 3],
        }
    )
    out = csv_safe(df)
    assert out["geography"].tolist()[:2] == ["North", "'=cmd|' /C calc'!A0"]
    assert out["geography"].isna().tolist() == [False, False, True]
    assert out["change"].tolist()[0] == Decimal("-3.2")
    assert out["this_year"].tolist()[0] == -1.5
    assert list(out.columns)[-1] == "'=evil"
    assert df["geography"][1].startswith("=")  # the input is not changed


def test_tables_csv_neutralises_formula_like_text(small_cube, monkeypatch):
    real = performance.measure_row

    def hostile(*args, **kw):
        row = real(*args, **kw)
        row["measure"] = '=HYPERLINK("http://x","y")'
        return row

    monkeypatch.setattr(performance, "measure_row", hostile)
    t = performance.tables_csv(small_cube, "2016-09", "rolling-12m")
    assert set(t["measure"]) == {'\'=HYPERLINK("http://x","y")'}


# ---------------------------------------------------------------------------------- cube windows


def test_decisions_are_off_by_default_and_never_touch_the_force(small_cube):
    assert disclosure.decisions(small_cube, "2016-09") == {}
    assert disclosure.withheld_geographies(small_cube, "all_crime", "2016-09") == {}
    withheld_ = disclosure.withheld_geographies(small_cube, "all_crime", "2016-09", 5)
    # Unassigned (no crime) is marked withheld itself, though it is never printed
    assert withheld_ == {"A2": "primary", "A1": "secondary", "Unassigned": "primary"}
    assert not disclosure.is_withheld(small_cube, "all_crime", "2016-09", FORCE, 5)
    assert disclosure.is_withheld(small_cube, "all_crime", "2016-09", "A2", 5)


def test_decisions_are_kept_on_the_cube_per_month_and_threshold(small_cube):
    first = disclosure.decisions(small_cube, "2016-09", 5)
    assert disclosure.decisions(small_cube, "2016-09", 5) is first  # worked out once
    assert disclosure.decisions(small_cube, "2016-09", 2) is not first
    assert disclosure.decisions(small_cube, "2016-08", 5) is not first


@pytest.mark.skipif(
    not (DEMO_DATA_DIR / ".complete").exists(),
    reason="demo data not generated (python -m helpers.sources.demo writes data/demo/.complete)",
)
def test_every_period_of_tables_csv_withholds_what_the_charts_withhold_on_the_demo_force():
    """One decision per measure and place for the month, whatever the period or window."""
    from helpers.measures.cube import load_cube

    cube = load_cube(DEMO_DATA_DIR)
    checked = 0
    for period in ("rolling-12m", "fytd", "month"):
        t = performance.tables_csv(cube, "2016-09", period, suppress_below=10)
        for mid, rows in t[t.geography_level != "force"].groupby("measure_id"):
            table = set(rows.loc[rows.suppressed, "geography"])
            decided = disclosure.withheld_geographies(cube, mid, "2016-09", 10)
            assert table == set(decided) - {"Unassigned"}, (period, mid)  # not a tables.csv row
            checked += bool(table)
    assert checked >= 30


# ---------------------------------------------------------------------------------- rendering


def test_a_withheld_row_prints_the_confidential_mark_and_the_table_says_why(small_cube):
    from helpers.render import tables

    rows = performance.performance_rows(
        small_cube, 6, "2016-09", "rolling-12m", "A2", suppress_below=5
    )
    assert rows.set_index("measure_id").loc["all_crime", "suppressed"]
    html = tables.performance_table(rows, title="6. Crime", month="2016-09", period="rolling-12m")
    row = re.search(
        r"<tr[^>]*>(?:(?!</tr>).)*The number of all crime offences.*?</tr>", html
    ).group(0)
    assert row.count(">[c]</td>") == 4  # last year, this year, change, since last month
    assert "*" not in row  # "*" marks a significant change; a withheld figure is not one
    assert ">3<" not in row  # A2's three crimes are nowhere in the row
    assert "Figures marked [c] are not published: a count below 5" in html
    plain = performance.performance_rows(small_cube, 6, "2016-09", "rolling-12m", "A2")
    html = tables.performance_table(plain, title="6. Crime", month="2016-09", period="rolling-12m")
    assert "ppw-withheld" not in html and "not published" not in html


def test_charts_from_the_cube_read_a_withheld_figure_as_missing(small_cube, monkeypatch):
    from helpers import periods
    from helpers.pages import sections

    ctx = sections.Context(
        cube=small_cube,
        month=periods.parse_month("2016-09"),
        period="rolling-12m",
        hierarchy=small_cube.hierarchy,
    )
    w = periods.window("rolling-12m", "2016-09")
    assert ctx.number("all_crime", w, "A2") == 3  # off by default
    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(suppress_below=5))
    assert ctx.number("all_crime", w, "A2") is None
    assert ctx.number("all_crime", w, "A1") is None  # its complement
    assert ctx.number("all_crime", w, "B1") == 144
    assert ctx.number("all_crime", w, FORCE) == 387
    # withheld on every window the pages read, not only the table's
    for kind in ("fytd", "month"):
        assert ctx.number("all_crime", periods.window(kind, "2016-09"), "A2") is None


def test_monthly_chart_series_of_a_withheld_district_are_blank_in_every_month(
    small_cube, monkeypatch
):
    """A district's monthly series (SPC and trend charts) never shows what the tables print as
    [c], nor any month of it: a month beside its published window would give the window back."""
    from helpers import periods
    from helpers.pages import sections

    def context():
        return sections.Context(
            cube=small_cube,
            month=periods.parse_month("2016-09"),
            period="rolling-12m",
            hierarchy=small_cube.hierarchy,
        )

    shown = context().series("all_crime", months=12, geography="A2")
    assert shown["value"].notna().any()  # off by default: the small figures are drawn
    monkeypatch.setattr(config, "force_config", lambda: ForceConfig(suppress_below=5))
    ctx = context()
    assert ctx.series("all_crime", months=12, geography="A2")["value"].isna().all()
    assert ctx.series("all_crime", months=12, geography="A1")["value"].isna().all()  # secondary
    busy = ctx.series("all_crime", months=12, geography="B1")
    assert busy["value"].notna().all() and (busy["value"] == 12).all()
    # months before those disclosure control checked are not drawn (12 here, 48 in the pack)
    monkeypatch.setattr(disclosure, "CHART_MONTHS", 12)
    long = context().series("all_crime", months=24, geography="B1")
    assert long["value"].isna().tolist() == [True] * 12 + [False] * 12
    force = ctx.series("all_crime", months=12, geography=FORCE)
    assert force["value"].notna().all()  # the force figure is never withheld
