"""Write the nine report notebooks (``notebooks/00_master.ipynb`` … ``08_organisational_health.ipynb``).

The notebooks are generated so they stay consistent: the same parameters cell, the same thin calls
into :mod:`helpers.pages.report`, the published headings. Edit this script, not the notebooks, then run::

    .venv/bin/python scripts/make_notebooks.py          # rewrite the notebooks
    .venv/bin/python scripts/make_notebooks.py --check  # exit 1 if a notebook differs from the script

The committed notebooks carry no outputs and keep ``metadata.kernelspec`` (papermill needs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from helpers.contract.catalog import AREA_SLUGS, AREAS, measure, measures_for  # noqa: E402
from helpers.pages.sections import items_for  # noqa: E402

NOTEBOOKS_DIR = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
LANGUAGE_INFO = {"name": "python"}
#: Cells for the analyst in JupyterLab: the pack leaves them out of the commanders' HTML.
ANALYST_ONLY = {"tags": ["remove-cell"]}
#: The report month whose measure definitions the notebooks name (the parameters' default).
DEFAULT_MONTH = "2016-09"

PARAMETERS = """month: str = "2016-09"  # report month, YYYY-MM
period: str = "rolling-12m"  # rolling-12m | fytd | month
geography: str = "Force"  # Force, an LPA (North, South, West) or a district name
data_dir: str = "data/demo"  # extract folder, relative to the project root or absolute
profile: str = "profiles/demo"  # the force's profile folder (name, districts, peers, marking)
data_fingerprint: str = ""  # the pack's data snapshot (cube fingerprint); empty: data_dir now
interactive: bool = True  # True in JupyterLab (filter bar); the pack sets False"""


def _notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: regenerating gives the same file
    return nb


def _parameters_cell():
    return new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})


def _definitions(measure_ids) -> str:
    """A markdown list naming each measure, its id and its definition from the catalog."""
    lines = []
    for mid in measure_ids:
        m = measure(mid)
        lines.append(f"- **{m.title}** (`{m.id}`, {m.unit}): {m.definition.strip()}")
    return "\n".join(lines)


def _explore_cells() -> list:
    return [
        new_markdown_cell(
            "## Explore\n\n"
            "Left out of the pack. Beyond the page (`helpers.pages.explore`):\n\n"
            '- `page.explore_spc("all_crime", "Colchester")`: any catalog measure as an SPC chart\n'
            "  for any place (the explorer below does the same from two drop-downs);\n"
            '- `page.chart_data("all_crime_spc", "Colchester")`: the data frame a chart of the page\n'
            '  is drawn from (`chart=1` for an item\'s second chart; `page.chart_frames("disposals")`\n'
            "  gives every chart of an item by title);\n"
            '- `page.compare_districts("solved_rate", "fytd")`: every district for one measure,\n'
            "  ranked best first, with the pack's significance test where the measure has one;\n"
            "- `frame` (the last cell): the figures behind this page, one row per measure ×\n"
            "  geography × month (numerator, denominator, value; NaN where a month has no data,\n"
            '  never 0). `page.explore(kind="rolling-12m")` gives the 12-month window ending in each\n'
            "  month. For example: `frame.query(\"geography == 'Basildon'\")` or\n"
            '  `frame.pivot_table(index="month", columns="geography", values="value")`.\n\n'
            "The measures' definitions are in `data/README.md`.",
            metadata=ANALYST_ONLY,
        ),
        new_code_cell("page.explorer(interactive=interactive)", metadata=ANALYST_ONLY),
        new_code_cell(
            "frame = page.explore(interactive=interactive)\nframe", metadata=ANALYST_ONLY
        ),
    ]


def _compared_with(area: int) -> str:
    """What the area's table compares this year with: last year, or (savings) the plan."""
    plans = [m for m in measures_for(area=area, month=DEFAULT_MONTH) if m.compare == "plan"]
    if not plans:
        return "last year"
    if len(plans) == len(measures_for(area=area, month=DEFAULT_MONTH)):
        return "the plan to date"
    return "last year (or, for " + ", ".join(m.title for m in plans) + ", the plan to date)"


def area_notebook(area: int) -> nbformat.NotebookNode:
    """Build the notebook of one area of focus."""
    title = f"{area}. {AREAS[area]}"
    against = _compared_with(area)
    cells = [
        new_markdown_cell(
            f"# {title}\n\n"
            f"Performance Information compares this year with {against} for every measure of the area;\n"
            "Management Information shows the trends behind it. The Geography and Period selectors show\n"
            "a Local Policing Area (LPA) or a district, or the financial year to date."
        ),
        _parameters_cell(),
        new_code_cell(
            "from helpers.pages import report\n\n"
            f"page = report.AreaPage(\n    {area},\n    month=month,\n    period=period,\n"
            "    geography=geography,\n    data_dir=data_dir,\n    profile=profile,\n"
            "    data_fingerprint=data_fingerprint,\n)\n"
            "page.header(standalone=interactive)"
        ),
        new_markdown_cell("## Performance Information"),
        new_markdown_cell(
            f"The table compares this year with {against} for these measures (catalog id, unit):\n\n"
            + _definitions(m.id for m in measures_for(area=area, month=DEFAULT_MONTH)),
            metadata=ANALYST_ONLY,
        ),
        new_code_cell("page.performance_information(interactive=interactive)"),
        new_markdown_cell("## Management Information"),
    ]
    for item in items_for(area):
        cells.append(
            new_markdown_cell(
                f"**{item.title}** (`{item.key}`) shows:\n\n" + _definitions(item.measures),
                metadata=ANALYST_ONLY,
            )
        )
        cells.append(
            new_code_cell(f'page.management_information("{item.key}", interactive=interactive)')
        )
    cells.append(new_code_cell("page.commentary()"))
    cells.append(new_code_cell("page.footer(standalone=interactive)"))
    cells += _explore_cells()
    return _notebook(cells)


def master_notebook() -> nbformat.NotebookNode:
    """Build the master notebook: title, executive summary, scorecard, exceptions, districts,
    areas, sources and data quality."""
    cells = [
        new_markdown_cell(
            "# Monthly Performance Report\n\n"
            "What got better and what got worse, then every measure on one page, the exceptions that\n"
            "need attention, the districts side by side, and the sources each area's figures come from.\n"
            "(The pack's page has its own title: this cell and the notes for analysts below are left out.)",
            metadata=ANALYST_ONLY,
        ),
        _parameters_cell(),
        new_code_cell(
            "from helpers.pages import report\n\n"
            "master = report.MasterPage(\n    month=month,\n    period=period,\n"
            "    geography=geography,\n    data_dir=data_dir,\n    profile=profile,\n"
            "    data_fingerprint=data_fingerprint,\n)\n"
            "master.cover(standalone=interactive)"
        ),
        new_markdown_cell("## Summary"),
        new_markdown_cell(
            "How the summary is made: a measure stands out for the chosen place and period by one of\n"
            "two stated rules, a\n"
            "statistically significant change on last year (survey rates, by the force's significance\n"
            "rule stated under the summary) or special cause in the monthly series (statistical process control: a month\n"
            "outside the usual range, a run, a trend, or two of three months near a limit). Every\n"
            "district is scanned the same way (`helpers.pages.findings`); `master.findings()` and\n"
            "`master.summary_input()` give the figures behind it as data.",
            metadata=ANALYST_ONLY,
        ),
        new_code_cell("master.summary(interactive=interactive)"),
        new_markdown_cell(
            "## Scorecard\n\nEvery measure of the eight areas: last year, this year and the change."
        ),
        new_code_cell("master.scorecard(interactive=interactive)"),
        new_markdown_cell("## Exceptions\n\nEvery finding of the summary, with its reasons."),
        new_code_cell("master.exceptions(interactive=interactive)"),
        new_markdown_cell("## Districts"),
        new_code_cell("master.district_comparison(interactive=interactive)"),
        new_markdown_cell("## Areas of Focus"),
        new_code_cell("master.contents()"),
        new_markdown_cell("## Sources"),
        new_code_cell("master.sources_to()"),
        new_code_cell("master.data_availability()"),
        new_markdown_cell("## Data quality"),
        new_code_cell("master.data_quality()"),
        new_code_cell("master.footer(standalone=interactive)"),
    ]
    return _notebook(cells)


def notebooks() -> dict[str, nbformat.NotebookNode]:
    """Every notebook by file name."""
    out = {"00_master.ipynb": master_notebook()}
    for area, slug in AREA_SLUGS.items():
        out[f"{area:02d}_{slug}.ipynb"] = area_notebook(area)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the notebooks are current")
    parser.add_argument("--out", type=Path, default=NOTEBOOKS_DIR, help="folder to write to")
    args = parser.parse_args(argv)
    stale = []
    for name, nb in notebooks().items():
        path = args.out / name
        text = nbformat.writes(nb) + "\n"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run scripts/make_notebooks.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
