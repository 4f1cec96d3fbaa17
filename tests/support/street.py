"""Synthetic data.police.uk street files: one row as the files publish it, and a month's file
written where the archive unpacks it (``YYYY-MM/YYYY-MM-<force>-street.csv``)."""

from __future__ import annotations

import csv
import gzip
import io

from helpers.sources.police_uk import EXPECTED_COLUMNS

#: ``Reported by`` / ``Falls within`` of each force the synthetic files use (forces.csv's names).
NAMES = {
    "essex": "Essex Police",
    "derbyshire": "Derbyshire Constabulary",
    "kent": "Kent Police",
    "sussex": "Sussex Police",
}


def row(
    crime_id="c1",
    crime_type="Burglary",
    lsoa="Basildon 001A",
    outcome="Under investigation",
    month="2014-01",
    force="essex",
    falls_within=None,
    reported_by=None,
):
    """One street-file row as a dict of the published columns."""
    name = NAMES[force]
    if crime_type == "Anti-social behaviour":
        crime_id, outcome = "", ""
    return {
        "Crime ID": crime_id,
        "Month": month,
        "Reported by": reported_by or name,
        "Falls within": falls_within or name,
        "Longitude": "" if not lsoa else "0.43",
        "Latitude": "" if not lsoa else "51.6",
        "Location": "No Location" if not lsoa else "On or near Coach Mews",
        "LSOA code": "" if not lsoa else "E01021237",
        "LSOA name": lsoa,
        "Crime type": crime_type,
        "Last outcome category": outcome,
        "Context": "",
    }


def write_street(root, month, force, rows, gz=False, header=EXPECTED_COLUMNS, name=None):
    """Write ``root/month/month-force-street.csv[.gz]`` and return its path."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(c, "") for c in header])
    folder = root / month
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{month}-{force}-street.csv" + (".gz" if gz else ""))
    data = buf.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path
