"""How an extract is described: its columns, their plausible bounds (:class:`MaxDelay`,
:class:`MaxPer`), the rules between a row's columns, and the wording of a bound."""

from __future__ import annotations

from dataclasses import dataclass, field


def format_number(value: float) -> str:
    """Render a bound for a person: ``10``, ``3,600``, ``10,000,000``, ``0.5``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"


def format_duration(hours: float) -> str:
    """``24 hours``, ``7 days``: whole days from two days up, hours below."""
    if hours >= 48 and hours % 24 == 0:
        return f"{format_number(hours / 24)} days"
    return f"{format_number(hours)} hour" + ("" if hours == 1 else "s")


@dataclass(frozen=True)
class MaxDelay:
    """A plausible delay: the column is at most ``hours`` after column ``after`` of the same row.

    With ``when`` = ``(column, value)``, only rows where that column holds that value are checked
    (an emergency incident attended more than a day after it was opened is a data error; a
    scheduled appointment weeks later is not). In SQL: ``column > after + INTERVAL hours HOUR``
    (``AND when_column = value``) selects the rows refused.
    """

    after: str
    hours: float
    when: tuple[str, int | str] | None = None

    def describe(self) -> str:
        where = f" where `{self.when[0]}` is {self.when[1]}" if self.when else ""
        return f"at most {format_duration(self.hours)} after `{self.after}`{where}"


@dataclass(frozen=True)
class MaxPer:
    """A plausible ratio: the column is at most ``maximum`` for each unit of column ``per``.

    ``total_wait_seconds`` at most 3,600 per ``calls_answered``: an average wait of over an hour
    is a unit or summing error. In SQL: ``column > maximum * per`` selects the rows refused.
    """

    per: str
    maximum: float

    def describe(self) -> str:
        return f"at most {format_number(self.maximum)} per `{self.per}`"


@dataclass(frozen=True)
class Column:
    """One column of an extract."""

    name: str
    type: str
    meaning: str
    allowed: tuple[str, ...] | None = None
    nullable: bool = False
    #: For ``int``/``float``: the smallest and largest sensible values.
    minimum: float | None = None
    maximum: float | None = None
    #: Empty means "not recorded by the source" (not "no"): a month where every row is empty
    #: leaves the measures that read the column N/A. Requires ``nullable``.
    empty_is_unrecorded: bool = False
    #: Plausible bounds relative to another column of the same row (:class:`MaxDelay` for dates,
    #: :class:`MaxPer` for numbers); the loader refuses the rows beyond them.
    limits: tuple[MaxDelay | MaxPer, ...] = ()
    #: ``extract.column`` every value must exist in (when both files are present).
    references: str | None = None
    #: What a reader calls it ("domestic-abuse flag"), where the pages say it is not recorded;
    #: default: the name in words.
    label: str | None = None

    @property
    def reader_name(self) -> str:
        """The column as a commander reads it: its label, or its name in words.

        >>> Column("victim_id", "str", "").reader_name
        'victim id'
        """
        return self.label or self.name.replace("_", " ")


@dataclass(frozen=True)
class RowRule:
    """A rule between the columns of one row, checked by the loader once those columns are valid."""

    #: The column a row breaking the rule is reported under.
    column: str
    #: The columns shown for an example row.
    shown: tuple[str, ...]
    #: What is wrong, as a plural predicate: "have an outcome date before the recorded date".
    what: str
    #: SQL (DuckDB) over the row's columns, true for a row that *breaks* the rule.
    broken: str


@dataclass(frozen=True)
class Extract:
    """One record-level (or, where noted, aggregated) extract."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    #: Column whose values must be unique (a record id), if any.
    unique: tuple[str, ...] = ()
    #: Column holding the date that places a row in a month (for coverage and windows).
    date_column: str | None = None
    #: Column that must hold a known district (checked against the reference table).
    district_column: str | None = "district"
    #: Areas of the report (1–8) that need this extract.
    areas: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Rules between columns of a row (an outcome before the crime was recorded, …).
    rules: tuple[RowRule, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)
