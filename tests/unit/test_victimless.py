"""Victimless prosecutions (``victimless_prosecutions``, ``victimless.sql``): the cases finalised by
month and result, those pending at a month's end, the months monitored, and the file's own rules."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.geography import FORCE
from helpers.measures.cube import build_cube
from helpers.periods import Window
from helpers.sources.loading import DataValidationError, load_extract

CASES = pd.DataFrame(
    {
        "case_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
        "crime_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "charged_date": pd.to_datetime(
            ["2013-11-04", "2013-11-20", "2013-12-01", "2013-12-31", "2014-01-15", "2014-03-02"]
        ),
        "finalised_date": pd.to_datetime(
            ["2013-11-04", "2014-01-10", "2013-12-20", None, "2014-01-31", "2014-04-01"]
        ),
        "result": ["successful", "dismissed", "other", None, "successful", "dismissed"],
        "district": ["Basildon", "Harlow", "Basildon", "Harlow", "Basildon", "Harlow"],
    }
)


@pytest.fixture(scope="module")
def cube():
    return build_cube({"victimless_prosecutions": CASES})


def figure(cube, mid, start, end, geography=FORCE):
    v = cube.value(mid, Window("month", pd.Period(start, "M"), pd.Period(end, "M")), geography)
    assert v.available, v.reason
    return v.value


def test_finalised_cases_add_up_by_finalised_month_and_result(cube):
    assert figure(cube, "victimless_finalised", "2013-11", "2013-11") == 1
    assert figure(cube, "victimless_finalised", "2013-11", "2014-01") == 4  # P1, P3, P2, P5
    assert figure(cube, "victimless_successful", "2013-11", "2014-01") == 2
    assert figure(cube, "victimless_dismissed", "2013-11", "2014-01") == 1
    assert figure(cube, "victimless_other", "2013-11", "2014-01") == 1
    assert figure(cube, "victimless_finalised", "2013-11", "2014-03") == 4  # P6 ends in April


def test_pending_is_the_count_at_the_end_of_the_last_month_not_a_sum(cube):
    # end of Nov 2013: P2 (charged 20 Nov, finalised in Jan); end of Dec: P2 and P4 (never
    # finalised; P4 charged on 31 Dec is pending that evening); end of Jan: P4; end of Mar: P4, P6
    assert figure(cube, "victimless_pending", "2013-11", "2013-11") == 1
    assert figure(cube, "victimless_pending", "2013-12", "2013-12") == 2
    assert figure(cube, "victimless_pending", "2013-11", "2013-12") == 2  # not 1 + 2
    assert figure(cube, "victimless_pending", "2014-01", "2014-01") == 1
    assert figure(cube, "victimless_pending", "2013-11", "2014-03") == 2
    fytd = cube.value(
        "victimless_pending", Window("fytd", pd.Period("2013-04", "M"), pd.Period("2014-03", "M"))
    )
    assert not fytd.available  # April to October 2013 were not monitored


def test_by_district_and_the_force_is_their_sum(cube):
    assert figure(cube, "victimless_finalised", "2013-11", "2014-01", "Basildon") == 3
    assert figure(cube, "victimless_finalised", "2013-11", "2014-01", "Harlow") == 1
    assert figure(cube, "victimless_pending", "2013-12", "2013-12", "Harlow") == 2


def test_the_months_monitored_run_from_the_first_case_charged_to_the_last(cube):
    assert [str(m) for m in cube.covered_months("victimless_finalised")] == [
        "2013-11",
        "2013-12",
        "2014-01",
        "2014-02",
        "2014-03",
    ]  # fmt: skip  (February: no case charged, still monitored)
    before = cube.value(
        "victimless_finalised",
        Window("month", pd.Period("2013-10", "M"), pd.Period("2013-10", "M")),
    )
    after = cube.value(
        "victimless_finalised",
        Window("month", pd.Period("2014-04", "M"), pd.Period("2014-04", "M")),
    )
    assert not before.available and not after.available


def test_a_month_with_a_case_finalised_but_none_charged_is_monitored():
    cases = CASES[CASES["case_id"] != "P4"].copy()  # no case left open for ever
    savings_to_june = pd.DataFrame(
        {
            "month": pd.period_range("2013-11", "2014-06", freq="M").to_timestamp(),
            "requirement_gbp": 1.0,
            "planned_to_date_gbp": 1.0,
            "delivered_to_date_gbp": 1.0,
        }
    )  # fmt: skip  (another extract runs to June: the cube's months do)
    cube = build_cube({"victimless_prosecutions": cases, "savings": savings_to_june})
    covered = [str(m) for m in cube.covered_months("victimless_finalised")]
    assert covered[0] == "2013-11" and covered[-1] == "2014-04"  # P6 finalised 1 April
    assert figure(cube, "victimless_finalised", "2014-04", "2014-04") == 1
    assert figure(cube, "victimless_pending", "2014-04", "2014-04") == 0


def _write(folder, rows: list[dict]) -> None:
    pd.DataFrame(rows).to_csv(folder / "victimless_prosecutions.csv", index=False)


def _case(**kw) -> dict:
    row = {"case_id": "P1", "crime_id": "C1", "charged_date": "2014-01-10",
           "finalised_date": "2014-02-01", "result": "successful", "district": "Basildon"}  # fmt: skip
    row.update(kw)
    return row


def _error(folder) -> str:
    with pytest.raises(DataValidationError) as info:
        load_extract(folder, "victimless_prosecutions")
    return str(info.value)


def test_a_good_file_loads(tmp_path):
    _write(tmp_path, [_case(), _case(case_id="P2", finalised_date="", result="")])
    frame = load_extract(tmp_path, "victimless_prosecutions")
    assert frame["result"].isna().tolist() == [False, True]


def test_a_case_finalised_before_it_was_charged_is_refused(tmp_path):
    _write(tmp_path, [_case(), _case(case_id="P2", finalised_date="2014-01-01")])
    message = _error(tmp_path)
    assert "victimless_prosecutions.csv" in message
    assert "column 'finalised_date': 1 row has a finalised date before the charged date" in message
    assert "row 3" in message


def test_a_result_without_a_finalised_date_or_the_reverse_is_refused(tmp_path):
    _write(tmp_path, [_case(finalised_date=""), _case(case_id="P2", result="")])
    message = _error(tmp_path)
    assert "column 'result': 2 rows have a result without a finalised date" in message
    assert "row 2" in message and "row 3" in message


def test_an_unknown_result_is_refused_naming_the_allowed_ones(tmp_path):
    _write(tmp_path, [_case(result="acquitted")])
    message = _error(tmp_path)
    assert "column 'result'" in message and "successful, dismissed, other" in message
    assert "'acquitted'" in message


def test_the_page_marks_a_district_figure_withheld_for_release_and_says_why(cube, monkeypatch):
    import dataclasses
    import re

    from helpers import config
    from helpers.pages import report

    settings = dataclasses.replace(config.force_config(), suppress_below=3)
    monkeypatch.setattr(config, "force_config", lambda: settings)
    report.clear_caches()
    page = report.AreaPage(1, month="2014-03", geography="Harlow", cube=cube)
    html = page.management_information("victimless_prosecutions", interactive=False).data

    def view(g):
        seg = html.split(f'data-geography="{g}"', 1)[1].split('class="ppw-view"', 1)[0]
        return dict(re.findall(r"<tr><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td></tr>", seg)), seg

    harlow, text = view("Harlow")
    assert set(harlow.values()) == {"[c]"} and "Figures marked [c] are not published" in text
    force, text = view("Force")
    assert force["Finalised cases"] == "4" and "[c]" not in text
    report.clear_caches()
