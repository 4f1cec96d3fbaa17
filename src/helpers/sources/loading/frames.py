"""Frames and tables: frames built in code made tables of the connection (nothing checked), an
absent extract's empty table, and a checked table handed back to pandas in the contract's dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...contract.extracts import Extract
from ...geography import UNASSIGNED
from .checks import _column_sql
from .files import _extract, _quote

#: The DuckDB type of each contract type in a checked table.
SQL_TYPES = {"str": "VARCHAR", "category": "VARCHAR", "int": "BIGINT", "float": "DOUBLE",
             "bool": "BOOLEAN", "date": "TIMESTAMP", "datetime": "TIMESTAMP", "month": "TIMESTAMP"}  # fmt: skip
#: Columns, other than the district, whose values must appear in a reference table.

#: The dtype of ``str`` columns in :func:`load_extracts`' frames: Arrow-backed text with NumPy
#: semantics (empty is ``NaN``; comparisons give plain ``bool``).
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


# --------------------------------------------------------------------------- in-memory frames
def register_frames(con, frames: dict[str, pd.DataFrame]) -> None:
    """Make each frame (extract name → DataFrame) a table of ``con`` in the contract's types.

    For frames built in code (tests, a notebook's what-if), not files: nothing is checked, a
    contract column the frame lacks is empty, a value that does not convert is empty and a district
    not in the reference is ``Unassigned``.
    """
    for name, df in frames.items():
        extract = _extract(name)
        if not len(df.columns):  # ``pd.DataFrame()``: the extract with no rows
            df = pd.DataFrame({"_empty": pd.Series([], dtype="int64")})
        con.register("_frame", df)
        types = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE _frame)").fetchall()
        )
        select = []
        for col in extract.columns:
            if col.name not in types:
                value = "NULL"
            else:
                value, _ = _column_sql(col, _quote(col.name), types[col.name], extract, ("", ""))
            if col.name == extract.district_column:
                value = (f"CASE WHEN ({value}) IN (SELECT district FROM ref_districts) "
                         f"THEN ({value}) ELSE '{UNASSIGNED}' END")  # fmt: skip
            select.append(f"CAST({value} AS {SQL_TYPES[col.type]}) AS {_quote(col.name)}")
        con.execute(
            f"CREATE TABLE {name} AS SELECT NULL::BIGINT AS _row, {', '.join(select)} FROM _frame"
        )
        con.unregister("_frame")


def create_empty(con, name: str) -> None:
    """Make an empty table ``name`` with the contract's columns (for an absent extract)."""
    cols = ", ".join(f"{_quote(c.name)} {SQL_TYPES[c.type]}" for c in _extract(name).columns)
    con.execute(f"CREATE TABLE {name} (_row BIGINT, {cols})")


def _to_frame(con, extract: Extract, district_names: list[str]) -> pd.DataFrame:
    """A checked table as a DataFrame in the contract's dtypes, rows in file order."""
    df = con.execute(f"SELECT * EXCLUDE (_row) FROM {extract.name} ORDER BY _row").df()
    out = {}
    for col in extract.columns:
        s = df[col.name]
        if col.type == "str":
            s = s.astype(TEXT_DTYPE)
        elif col.type == "category":
            district = col.name == extract.district_column
            cats = [*sorted(district_names), UNASSIGNED] if district else list(col.allowed)
            s = pd.Series(pd.Categorical(s, categories=pd.Index(cats, dtype=object)))
        elif col.type == "int":
            s = s.astype("Int64" if col.nullable else "int64")
        elif col.type == "float":
            s = s.astype("float64")
        elif col.type == "bool":
            s = s.astype(bool) if s.notna().all() else s.astype("boolean")
        else:
            s = s.astype("datetime64[ns]")
        out[col.name] = s
    return pd.DataFrame(out)
