"""Read extracts (parquet or CSV) into DuckDB and check them against the data contract.

Every extract is checked on read against :data:`helpers.contract.extracts.EXTRACTS` by SQL queries that
DuckDB runs over the file in place: the checks are generated from the contract (a column's type,
allowed values, range, emptiness; unique keys; the row rules and links it declares), so a rule
added to the contract is enforced without new code here. A file that breaks the contract raises
one :class:`DataValidationError` listing *all* its problems, each naming the file, the column, what
is wrong, how many rows, and up to five example rows with the offending value. Every file is
checked before any is used: nothing is ever half-loaded. ``data/README.md`` says what is accepted.

A checked extract becomes a table of the DuckDB connection, named after the extract, in the
contract's types (text: VARCHAR, NULL where empty; dates and months: TIMESTAMP; a month is its
first day; an empty district: ``Unassigned``) plus ``_row``, the row a spreadsheet shows (CSV: the
header is row 1; parquet: the first record is row 1). The measures (``helpers/measures/*.sql``)
read those tables; :func:`load_extracts` hands them to pandas instead.

A few checks are not queries and stay in Python: bytes that are not UTF-8 and NUL bytes in a CSV
(both named by byte offset and line: a guess at cp1252 would silently make one id two, and a NUL
would end a cell without a word), and a file that cannot be read at all. A DuckDB error never
reaches the user as it is: it becomes a problem naming the file (and the column when one is to
blame).

Hostile input: cells beginning ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) are loaded
as plain text, never evaluated, and counted in the load report (row and column, not the value);
text longer than 1,000 characters is refused; messages show at most 60 characters of a value and
name files relative to the project root (or by name only), never by an absolute path.

The package, one job a module: :mod:`.report` (problems, the error, the load report),
:mod:`.files` (paths, the connection, reading a file), :mod:`.checks` (the contract's checks as
SQL), :mod:`.extract` (one file), :mod:`.frames` (frames built in code, and tables back to pandas)
and :mod:`.api` (the public functions and the command line). Every public name is importable from
``helpers.sources.loading``.
"""

from ...geography import UNASSIGNED
from .api import fingerprint, load_extract, load_extracts, load_report, main, read_extracts
from .checks import FORMULA_PREFIXES, MAX_TEXT_LENGTH, latest_accepted
from .extract import MAX_EXAMPLES, fetch_frame, month_profile
from .files import (
    MEMORY_SHARE,
    SUFFIXES,
    available_extracts,
    connect,
    display_name,
    districts,
    extract_path,
    msg_forces,
)
from .frames import SQL_TYPES, TEXT_DTYPE, create_empty, register_frames
from .report import DataValidationError, ExtractReport, LoadReport, Problem

__all__ = [
    "FORMULA_PREFIXES",
    "MAX_EXAMPLES",
    "MAX_TEXT_LENGTH",
    "MEMORY_SHARE",
    "SQL_TYPES",
    "SUFFIXES",
    "TEXT_DTYPE",
    "UNASSIGNED",
    "DataValidationError",
    "ExtractReport",
    "LoadReport",
    "Problem",
    "available_extracts",
    "connect",
    "create_empty",
    "display_name",
    "districts",
    "extract_path",
    "fetch_frame",
    "fingerprint",
    "latest_accepted",
    "load_extract",
    "load_extracts",
    "load_report",
    "main",
    "month_profile",
    "msg_forces",
    "read_extracts",
    "register_frames",
]
