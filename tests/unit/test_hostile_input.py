"""Hostile input: formula-like cells, HTML or script in text, very long strings, bytes that are not
UTF-8. Each is loaded as plain text or refused with a clear error; nothing from an extract (or a
reference table) reaches a page unescaped; tables.csv cannot run a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from helpers.analysis import performance
from helpers.measures.cube import Reference, build_cube
from helpers.render import tables, views
from helpers.render.scorecard import scorecard_table
from helpers.sources.loading import DataValidationError, LoadReport, load_extracts

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

CRIME_COLUMNS = [
    "crime_id",
    "recorded_date",
    "offence_group",
    "victim_based",
    "district",
    "domestic_abuse",
    "da_risk_level",
    "night_time_economy",
    "rural",
    "business",
    "class_a_supply",
    "victim_id",
    "outcome_type",
    "outcome_date",
    "evidence_led_prosecution",
]


def crime(cid: str, date: str, district: str = "Basildon", victim: str = "V1") -> dict:
    return {
        "crime_id": cid,
        "recorded_date": date,
        "offence_group": "Burglary",
        "victim_based": "true",
        "district": district,
        "domestic_abuse": "false",
        "da_risk_level": "",
        "night_time_economy": "false",
        "rural": "false",
        "business": "false",
        "class_a_supply": "false",
        "victim_id": victim,
        "outcome_type": "",
        "outcome_date": "",
        "evidence_led_prosecution": "false",
    }


def write_crimes(folder, rows: list[dict], encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CRIME_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / "crimes.csv").write_bytes(buf.getvalue().encode(encoding))


def a_year_of_crimes(**hostile) -> list[dict]:
    """Two crimes a month, Oct 2014 – Sep 2016, in two districts; ``hostile`` overrides row 0."""
    rows = []
    for i, m in enumerate(pd.period_range("2014-10", "2016-09", freq="M")):
        rows.append(crime(f"C{i}a", f"{m}-03", "Basildon", f"V{i}"))
        rows.append(crime(f"C{i}b", f"{m}-17", "Harlow", f"V{i}"))
    rows[0].update(hostile)
    return rows


# ---------------------------------------------------------------------------------- loading


def test_script_and_formula_text_load_as_plain_text_and_stay_out_of_the_run_record(tmp_path):
    write_crimes(tmp_path, a_year_of_crimes(crime_id=SCRIPT, victim_id=FORMULA))
    report = LoadReport()
    crimes = load_extracts(tmp_path, report=report)["crimes"]
    assert crimes.loc[0, "crime_id"] == SCRIPT  # kept verbatim: escaping is the renderer's job
    assert crimes.loc[0, "victim_id"] == FORMULA  # never evaluated
    entry = report.extracts["crimes"]
    assert entry.formula_like_cells == 1
    record = json.dumps(report.to_dict("2016-09"))
    assert "alert(1)" not in record and "HYPERLINK" not in record  # row and column, not values


def test_a_very_long_string_is_refused_with_a_short_message(tmp_path):
    write_crimes(tmp_path, a_year_of_crimes(victim_id="x" * 100_000))
    with pytest.raises(DataValidationError) as err:
        load_extracts(tmp_path)
    message = str(err.value)
    assert "crimes.csv" in message and "column 'victim_id'" in message
    assert "longer than 1,000 characters" in message
    assert "(100,000 characters)" in message
    assert len(message) < 1_500  # the value is cut, not copied into the log


def test_bytes_that_are_not_utf8_are_refused_naming_where(tmp_path):
    write_crimes(tmp_path, a_year_of_crimes(victim_id="£5 note"), encoding="cp1252")
    with pytest.raises(DataValidationError) as err:
        load_extracts(tmp_path)
    message = str(err.value)
    assert "crimes.csv" in message and "is not UTF-8 text" in message
    assert "byte 0xA3" in message and "line 2" in message


def test_script_in_a_district_is_refused_naming_the_column(tmp_path):
    write_crimes(tmp_path, a_year_of_crimes(district=SCRIPT))
    with pytest.raises(DataValidationError) as err:
        load_extracts(tmp_path)
    assert "column 'district'" in str(err.value)


@pytest.mark.parametrize("text", ["line\nbreak", "tab\there", "\u202etxt.exe", "x" * 1000])
def test_odd_but_valid_text_in_an_id_is_loaded_verbatim(tmp_path, text):
    write_crimes(tmp_path, a_year_of_crimes(crime_id=text))
    assert load_extracts(tmp_path)["crimes"].loc[0, "crime_id"] == text


@pytest.mark.parametrize("gz", [False, True])
def test_a_nul_byte_is_refused_not_silently_cut(tmp_path, gz):
    """pandas ends a cell at a NUL: 'V1\\x00x' would be read as 'V1', merging two victims."""
    write_crimes(tmp_path, a_year_of_crimes(victim_id="V1\x00x"))
    if gz:
        import gzip

        path = tmp_path / "crimes.csv"
        (tmp_path / "crimes.csv.gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    with pytest.raises(DataValidationError) as err:
        load_extracts(tmp_path)
    message = str(err.value)
    assert "crimes.csv" in message and "NUL byte 0x00" in message and "(line 2)" in message


def test_utf16_text_is_refused_with_a_clear_error(tmp_path):
    write_crimes(tmp_path, a_year_of_crimes(), encoding="utf-16")
    with pytest.raises(DataValidationError, match="UTF-16 text, not a UTF-8 CSV|not UTF-8"):
        load_extracts(tmp_path)


# ---------------------------------------------------------------------------------- rendering


def hostile_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure_id": "all_crime",
                "measure": SCRIPT,
                "label": SCRIPT,
                "unit": "count",
                "decimals": 0,
                "polarity": "lower_better",
                "window_label": SCRIPT,
                "window_kind": "rolling-12m",
                "last_year": 10.0,
                "this_year": 12.0,
                "change": None,
                "direction": "na",
                "since_last_month": SCRIPT,
                "significant": None,
                "ci_last": None,
                "ci_this": None,
                "msg_rank": None,
                "msg_colour": None,
                "available": True,
                "note": '"><script>alert(1)</script>',
                "footnote": SCRIPT,
                "area": 6,
                "area_title": SCRIPT,
            }
        ]
    )


def assert_escaped(html: str) -> None:
    assert "alert(1)" in html  # the hostile text is shown …
    assert "<script>alert(1)" not in html  # … never as markup
    assert '"><script' not in html
    for m in re.finditer(r"alert\(1\)", html):
        assert html[max(0, m.start() - 14) : m.start()].endswith("&lt;script&gt;"), html[
            max(0, m.start() - 60) : m.end() + 20
        ]


def test_performance_table_escapes_labels_geography_notes_and_footnotes():
    html = tables.performance_table(
        hostile_rows(),
        title=SCRIPT,
        month="2016-09",
        period="rolling-12m",
        geography=SCRIPT,
        extra_notes=[SCRIPT],
    )
    assert_escaped(html)


def test_scorecard_and_small_tables_escape_their_text():
    assert_escaped(scorecard_table(hostile_rows(), month="2016-09", period="rolling-12m"))
    small = pd.DataFrame({SCRIPT: [SCRIPT, FORMULA], "n": [1, 2]})
    assert_escaped(tables.simple_table(small, caption=SCRIPT))
    assert_escaped(tables.note_html(SCRIPT, "warning"))


def test_switcher_escapes_hostile_geography_names():
    geos = [("force", "Force"), ("lpa", SCRIPT), ("district", f'x" onmouseover="{SCRIPT}')]
    html = views.switcher(
        lambda g, p: f"<p>{tables.esc(g)}</p>",
        geos,
        ["rolling-12m"],
        default=(SCRIPT, "rolling-12m"),
    ).data
    assert_escaped(html)
    assert 'onmouseover="' not in html
    assert html.count("<script>") == 1  # the switcher's own script, nothing else


# ---------------------------------------------------------------------------------- end to end

HOSTILE_DISTRICTS = pd.DataFrame(
    {
        "district": [SCRIPT, FORMULA, 'Colchester & "Tendring"', "Harlow"],
        "lpa": ["<b>North</b>", "<b>North</b>", "South", "South"],
        "population_2016": [1000, 2000, 3000, 4000],
    }
)
FORCES = pd.DataFrame(
    {"force": ["Home Force"], "police_uk_slug": ["h"], "population_2016": [100_000]}
)


@pytest.fixture(scope="module")
def hostile_cube():
    """Crimes in districts whose names (from a force's own reference table) are hostile; the
    crime and victim ids are hostile too."""
    rows = []
    for i, m in enumerate(pd.period_range("2014-01", "2016-12", freq="M")):
        for j, d in enumerate(HOSTILE_DISTRICTS["district"]):
            for k in range(j + 1):
                rows.append(
                    {
                        **{c: None for c in CRIME_COLUMNS},
                        "crime_id": f"{SCRIPT}{i}-{j}-{k}",
                        "recorded_date": pd.Timestamp(f"{m}-0{k + 1}"),
                        "offence_group": "Burglary",
                        "victim_based": True,
                        "district": d,
                        "domestic_abuse": False,
                        "night_time_economy": False,
                        "rural": False,
                        "business": False,
                        "class_a_supply": False,
                        "victim_id": FORMULA if k == 0 else f"V{j}",
                        "evidence_led_prosecution": False,
                    }
                )
    df = pd.DataFrame(rows)
    df["outcome_date"] = pd.to_datetime(df["outcome_date"])
    return build_cube({"crimes": df}, Reference(HOSTILE_DISTRICTS, FORCES))


def test_an_area_page_escapes_hostile_geography_names_and_never_shows_ids(hostile_cube):
    from helpers.pages.report import AreaPage, clear_caches

    clear_caches()
    try:
        page = AreaPage(6, month="2016-09", period="rolling-12m", cube=hostile_cube)
        html = page.performance_information().data + page.render_html(SCRIPT, "fytd")
        html += page.render_html("<b>North</b>", "rolling-12m")
    finally:
        clear_caches()
    assert_escaped(html)
    assert "<b>North</b>" not in html and "&lt;b&gt;North&lt;/b&gt;" in html
    assert "Colchester &amp; &quot;Tendring&quot;" in html
    assert FORMULA not in html  # a district named like a formula is text, in quotes escaped
    words = re.sub(r"<[^>]+>", " ", html).split()
    assert "V1" not in words and "V3" not in words  # victim ids are never printed


def test_tables_csv_neutralises_formula_like_cells(hostile_cube, tmp_path):
    table = performance.tables_csv(hostile_cube, "2016-09", "rolling-12m")
    assert "'" + FORMULA in set(table["geography"])
    assert FORMULA not in set(table["geography"])
    path = tmp_path / "tables.csv"
    table.to_csv(path, index=False)
    with open(path, newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    risky = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    for c in risky:  # only negative numbers may start with "-"
        assert not np.isnan(float(c)), c


# ---------------------------------------------------------------------------------- page shell


def test_the_page_shell_escapes_a_hostile_marking_and_force_name(tmp_path):
    import nbformat

    from helpers.pack import runner as pack

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\ntext")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook = pack.Notebook(tmp_path / "00_master.ipynb", "00", SCRIPT)
    run = pack.Run(
        month="2016-09",
        period="rolling-12m",
        data_dir=tmp_path,
        out=tmp_path / "out",
        jobs=1,
        timeout=10,
        notebooks=[notebook],
        notebooks_dir=tmp_path,
    )
    hostile = f'</style>{SCRIPT}"'
    shell = pack.page_shell(
        run, notebook, force_name=hostile, marking=hostile, data_to={"crimes": "2016-09"}
    )
    page, _ = pack.export_html(nb, shell)
    assert_escaped(page.replace("\\3C script\\3E alert(1)", "&lt;script&gt;alert(1)"))
