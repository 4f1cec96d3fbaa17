"""Rendered charts kept on disk, keyed by what they are drawn from: a re-run draws only what changed.

An analyst re-runs the pack for the same month after editing the commentary, or one notebook with
``--notebooks``: the charts are those of the last run and need not be drawn again. Every chart of
the pages is drawn by a builder of :mod:`helpers.render.charts` or :mod:`helpers.render.spc_charts`
from its arguments alone, so :meth:`ChartCache.image_html` works out a key *before* building the
figure and, on a hit, returns the ``<img>`` drawn last time without building anything.

The key (sha256) is made of

- the builder's module and qualified name;
- its arguments by content: a ``DataFrame`` or ``Series`` by its values, dtypes, column names,
  index and ``attrs`` (the SPC frames carry their polarity and target there); numbers, text,
  ``None``, tuples, lists, ``Period`` and ``Timestamp`` by type and ``repr``. An argument of any
  other type refuses the key (:class:`Uncacheable`): that chart is drawn every time, never guessed;
- the resolution (dpi) and the kind of PNG (``compact``: palette or full colour);
- the renderer (:func:`renderer_version`): the source of ``charts``, ``spc_charts``, ``helpers.spc``
  (icons and point colours) and this module, and the versions of Python, matplotlib, seaborn, numpy,
  pandas, Pillow, FreeType and the zlib that writes the PNG;
- what a builder reads at draw time besides its arguments (:func:`draw_state`): matplotlib's
  ``rcParams``, the locale's month names and number format (``strftime("%b %y")``), and the font
  files the house style resolves to. Nothing else is read: no date, no force configuration (titles
  and captions arrive as text), and a value withheld for disclosure control is already blank in
  the frame given to the builder, so its chart has another key.

Entries live in ``<folder>/<first 2 hex of the key>/<key>.html`` (``.cache/charts/`` of the project
by default): a header line ``ppw-chart/1 <key> <sha256 of the body>`` and the body, the ``<img>``
element exactly as :func:`helpers.render.charts.image_html` returned it. An entry whose header does
not match (truncated, edited, another key) is ignored and drawn again, never shown. Writes go to a
temporary file in the same folder, then ``os.replace``: the kernels of a pack write at once, and a
reader sees a whole entry or none. A folder that cannot be written (read-only, full disk) means the
chart is drawn and not kept: the page never fails for its cache.

Bounded by size, least recently used first (a hit marks its entry used): each 2-hex folder keeps at
most 1/256 of :data:`MAX_BYTES`, checked when an entry is written there. Keys are uniform, so the
folders fill evenly; pruning one folder of a few dozen files on a write costs far less than the
drawing it follows, needs no lock, no index and no separate step, and the whole cache stays within
about :data:`MAX_BYTES`. A month's pack is about 4 MB of charts: the budget holds some fifty packs.

Examples
--------
>>> import tempfile
>>> from helpers.render import charts
>>> cache = ChartCache(Path(tempfile.mkdtemp()))
>>> first = cache.image_html(charts.no_data_figure, ("Title", "Nothing yet"), dpi=72)
>>> cache.image_html(charts.no_data_figure, ("Title", "Nothing yet"), dpi=72) == first
True
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import locale
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd

from .. import config
from .figure_reuse import ReusedFigures

log = logging.getLogger(__name__)

#: The whole cache's size budget, bytes (each of the 256 prefix folders keeps 1/256 of it).
MAX_BYTES = 200 * 1024 * 1024
#: A temporary file older than this (seconds) is what a killed writer left behind: removed.
STALE_TEMP_SECONDS = 3600
#: The first line of an entry starts with this (the entry format's version).
MAGIC = "ppw-chart/1"
#: What every entry's body starts with.
IMG_START = '<img src="data:image/png;base64,'
#: Modules whose builders may be cached: their source is part of :func:`renderer_version`.
BUILDER_MODULES = ("helpers.render.charts", "helpers.render.spc_charts")
_HERE = Path(__file__).resolve().parent
#: Sources that decide what a chart looks like: the builders, the SPC rules that pick the points'
#: colours and the icons, and this module (the key and the entry format).
RENDERER_SOURCES = (
    _HERE / "charts.py",
    _HERE / "chart_html.py",
    _HERE / "spc_charts.py",
    _HERE / "figure_reuse.py",
    _HERE.parent / "spc.py",
    _HERE.parent / "spc_xmr.py",  # the points' colours (_point_type) since spc was split
    _HERE.parent / "spc_seasonality.py",  # seasonality_chart's factors are checked there
    _HERE / "chart_cache.py",
)
#: rcParams that do not change a chart drawn on an Agg canvas (backend, windows, key bindings).
_NOT_DRAWN = ("backend", "backend_fallback", "interactive", "toolbar", "savefig.directory")
_NOT_DRAWN_PREFIXES = ("keymap.", "webagg.", "tk.", "macosx.", "figure.raise_window")


class Uncacheable(TypeError):
    """An argument whose content cannot be hashed deterministically: the chart is drawn, not kept."""


# --------------------------------------------------------------------------------------------
# The key
# --------------------------------------------------------------------------------------------


@functools.cache
def renderer_version() -> str:
    """sha256 of the rendering code and the libraries that draw and encode the charts.

    Worked out once per process: a running kernel does not change its code or its libraries (an
    edit to ``charts.py`` takes effect in a new kernel, whose version is then read afresh).
    """
    return renderer_fingerprint(RENDERER_SOURCES, _library_versions())


def renderer_fingerprint(sources, versions: Mapping[str, str]) -> str:
    """sha256 of the bytes of ``sources`` (paths) and of ``versions`` (name → version)."""
    h = hashlib.sha256(b"renderer\0")
    for path in sources:
        data = Path(path).read_bytes()
        _text(h, "file", Path(path).name)
        _text(h, "bytes", hashlib.sha256(data).hexdigest())
    for name in sorted(versions):
        _text(h, name, str(versions[name]))
    return h.hexdigest()


def _library_versions() -> dict[str, str]:
    import importlib.metadata

    import matplotlib.ft2font
    import PIL
    import PIL.features

    return {
        "python": sys.version,
        "matplotlib": mpl.__version__,
        "freetype": matplotlib.ft2font.__freetype_version__,
        "seaborn": importlib.metadata.version("seaborn"),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pillow": PIL.__version__,
        "pillow-zlib": str(PIL.features.version("zlib")),
    }


def draw_state() -> str:
    """sha256 of what a builder reads at draw time besides its arguments.

    matplotlib's ``rcParams`` (all but the backend's and windows' own), the locale's ``LC_TIME``
    (month names in tick labels) and ``LC_NUMERIC``, and the font files the families in use
    resolve to (a font installed or removed changes the pixels).
    """
    from matplotlib import font_manager

    h = hashlib.sha256(b"draw state\0")
    # one line per parameter: names hold no "=" and reprs no newline
    rc = "\n".join(
        f"{name}={value!r}"
        for name, value in sorted(mpl.rcParams.items())
        if name not in _NOT_DRAWN and not name.startswith(_NOT_DRAWN_PREFIXES)
    )
    _text(h, "rcParams", rc)
    for category in (locale.LC_TIME, locale.LC_NUMERIC):
        _text(h, "locale", str(locale.setlocale(category)))  # one argument: asks, sets nothing
    for family in ("DejaVu Sans", *mpl.rcParams["font.family"]):
        for weight in ("normal", "bold"):
            path = font_manager.findfont(font_manager.FontProperties(family=family, weight=weight))
            _text(h, "font", f"{family} {weight} {path} {os.path.getsize(path)}")
    return h.hexdigest()


def chart_key(
    builder: Callable,
    args: tuple = (),
    kwargs: Mapping | None = None,
    *,
    dpi: int,
    compact: bool,
    renderer: str,
    state: str,
) -> str:
    """The key of the chart ``builder(*args, **kwargs)`` drawn at ``dpi`` (sha256, 64 hex).

    Raises
    ------
    Uncacheable
        The builder is not a plain function of :data:`BUILDER_MODULES` (a lambda or a closure holds
        what no key sees), or an argument is of a type :func:`feed` does not know.
    """
    module = getattr(builder, "__module__", None)
    qualname = getattr(builder, "__qualname__", "")
    if module not in BUILDER_MODULES or not qualname or "<" in qualname:
        raise Uncacheable(
            f"builder {module}.{qualname} is not a chart builder of {BUILDER_MODULES}"
        )
    h = hashlib.sha256(b"chart\0")
    _text(h, "builder", f"{module}.{qualname}")
    _text(h, "renderer", renderer)
    _text(h, "state", state)
    feed(h, dpi)
    feed(h, bool(compact))
    feed(h, tuple(args))
    kwargs = dict(kwargs or {})
    feed(h, {name: kwargs[name] for name in sorted(kwargs)})
    return h.hexdigest()


def _text(h, tag: str, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    h.update(f"{tag}{len(data)}:".encode())
    h.update(data)


def _blob(h, tag: str, data: bytes) -> None:
    h.update(f"{tag}{len(data)}:".encode())
    h.update(data)


#: Scalars hashed by type and ``repr`` (their ``repr`` is exact: floats round-trip, a Timestamp
#: shows its nanoseconds and time zone, a Period its frequency).
_BY_REPR = (int, float, complex, str, pd.Timestamp, pd.Period, pd.Timedelta)
#: Types of the elements of an object column whose list's ``repr`` is exact and unambiguous.
_PLAIN = {*_BY_REPR, bool, type(None), type(pd.NaT), type(pd.NA)}


def feed(h, value) -> None:
    """Feed ``value`` to the hash ``h`` by content, tagged with its type (``1`` ≠ ``1.0`` ≠ ``"1"``).

    Raises
    ------
    Uncacheable
        A type not listed here (checked exactly: a subclass may carry what its parent does not).
    """
    kind = type(value)
    if value is None or value is pd.NaT or value is pd.NA:
        _text(h, "null", repr(value))
    elif kind is bool:
        _text(h, "bool", repr(value))
    elif kind in _BY_REPR:
        _text(h, kind.__name__, repr(value))
    elif isinstance(value, np.generic) and value.dtype.kind in "biufcmMUS":
        _blob(h, f"np{value.dtype.str}", value.tobytes())
    elif kind in (tuple, list):
        h.update(f"{kind.__name__}{len(value)}:".encode())
        for item in value:
            feed(h, item)
    elif kind is dict:
        if not all(type(k) is str for k in value):
            raise Uncacheable("a dict with keys other than text")
        h.update(f"dict{len(value)}:".encode())
        for k in sorted(value):
            _text(h, "key", k)
            feed(h, value[k])
    elif kind is pd.DataFrame:
        h.update(f"DataFrame{value.shape}:".encode())
        _index(h, value.columns)
        _index(h, value.index)
        for _, column in value.items():
            _values(h, column.array)
        feed(h, dict(value.attrs))
    elif kind is pd.Series:
        h.update(b"Series:")
        feed(h, value.name)
        _index(h, value.index)
        _values(h, value.array)
        feed(h, dict(value.attrs))
    elif isinstance(value, pd.Index) and kind.__module__.startswith("pandas."):
        _index(h, value)
    elif kind is np.ndarray:
        _values(h, value)
    else:
        raise Uncacheable(f"an argument of type {kind.__module__}.{kind.__qualname__}")


def _index(h, index: pd.Index) -> None:
    _text(h, "index", type(index).__name__)
    feed(h, list(index.names))
    if isinstance(index, pd.MultiIndex):
        for level in range(index.nlevels):
            _values(h, index.get_level_values(level).array)
    else:
        _values(h, index.array)


def _values(h, values) -> None:
    """An array's dtype, length and content (numbers as their bytes, objects one by one)."""
    dtype = values.dtype
    _text(h, "dtype", str(dtype))
    h.update(f"n{len(values)}:".encode())
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmMUS":
        array = np.ascontiguousarray(np.asarray(values))
        _blob(h, dtype.str, array.tobytes())
    elif isinstance(dtype, pd.PeriodDtype | pd.DatetimeTZDtype):
        _blob(h, "i8", np.ascontiguousarray(values.asi8).tobytes())  # dtype: freq, zone
    elif isinstance(dtype, pd.CategoricalDtype):
        _index(h, dtype.categories)
        feed(h, bool(dtype.ordered))
        _blob(h, "codes", np.ascontiguousarray(values.codes).tobytes())
    else:  # object, and pandas' text, nullable and Arrow arrays: element by element
        items = np.asarray(values, dtype=object).tolist()
        if set(map(type, items)) <= _PLAIN:
            # the list's repr tells these apart (text quoted, 1 ≠ 1.0 ≠ True ≠ None) in one go
            _text(h, "plain", repr(items))
        else:
            for item in items:
                feed(h, item)


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartCache:
    """Charts drawn before, on disk in ``folder`` (see the module's notes for the key and bounds).

    Parameters
    ----------
    folder
        Where the entries live (:func:`default_cache`: ``config.CACHE_DIR / "charts"``).
    max_bytes
        Size budget of the whole cache.
    renderer
        The renderer's version; default :func:`renderer_version` (tests pass another).
    """

    folder: Path
    max_bytes: int = MAX_BYTES
    renderer: str | None = None

    def image_html(
        self,
        builder: Callable,
        args: tuple = (),
        kwargs: Mapping | None = None,
        *,
        dpi: int,
        compact: bool = False,
        figures: ReusedFigures | None = None,
    ) -> str:
        """The ``<img>`` of ``builder(*args, **kwargs)``: from the cache, or drawn and kept.

        The key is worked out before the figure is built, so a hit builds and draws nothing.
        An argument that cannot be hashed, or a folder that cannot be read or written, means the
        chart is drawn as without a cache. ``figures``: see :func:`draw_image_html` (not part of
        the key: a figure re-used draws the same pixels).
        """
        kwargs = dict(kwargs or {})
        state = draw_state()
        try:
            key = chart_key(
                builder,
                args,
                kwargs,
                dpi=dpi,
                compact=compact,
                renderer=self.renderer or renderer_version(),
                state=state,
            )
        except Uncacheable as exc:
            log.debug("chart not cached: %s", exc)
            return draw_image_html(builder, args, kwargs, dpi=dpi, compact=compact, figures=figures)
        hit = self.get(key)
        if hit is not None:
            return hit
        out = draw_image_html(builder, args, kwargs, dpi=dpi, compact=compact, figures=figures)
        # A library imported for the first time while drawing may have changed the rcParams:
        # then what was drawn is not what the key says; it is shown, not kept.
        if draw_state() == state:
            self.put(key, out)
        return out

    def path(self, key: str) -> Path:
        """Where the entry of ``key`` lives."""
        return self.folder / key[:2] / f"{key}.html"

    def get(self, key: str) -> str | None:
        """The entry of ``key``, or None (absent, unreadable, or not whole: then drawn again)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head, _, body = data.partition(b"\n")
        if head != _header(key, body):
            log.info("chart cache: ignoring a damaged entry %s", path.name)
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not text.startswith(IMG_START):
            return None
        with contextlib.suppress(OSError):  # a read-only folder: still a hit
            os.utime(path)  # used now: the last to go when its folder is pruned
        return text

    def put(self, key: str, html: str) -> bool:
        """Keep ``html`` as the entry of ``key`` (atomically); False if it could not be written."""
        path = self.path(key)
        body = html.encode("utf-8")
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".html")
            with os.fdopen(fd, "wb") as f:
                f.write(_header(key, body) + b"\n" + body)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a cache is shared like a folder
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            log.info("chart cache: not kept (%s)", exc)
            return False
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._prune(path)
        return True

    def _prune(self, written: Path) -> None:
        """Keep ``written``'s folder within its share of the budget, least recently used first."""
        budget = self.max_bytes // 256
        now = time.time()
        entries, total = [], 0
        try:
            with os.scandir(written.parent) as it:
                for entry in it:
                    st = entry.stat()
                    if entry.name.startswith(".tmp-"):
                        if now - st.st_mtime > STALE_TEMP_SECONDS:
                            _remove(Path(entry.path))
                    elif entry.name.endswith(".html") and entry.name != written.name:
                        entries.append((st.st_mtime_ns, entry.path, st.st_size))
                        total += st.st_size
                    elif entry.name == written.name:
                        total += st.st_size
        except OSError:
            return
        for _, path, size in sorted(entries):
            if total <= budget:
                break
            _remove(Path(path))
            total -= size


def _header(key: str, body: bytes) -> bytes:
    return f"{MAGIC} {key} {hashlib.sha256(body).hexdigest()}".encode()


def _remove(path: Path) -> None:
    # gone already (another kernel pruned it), or the folder is read-only
    with contextlib.suppress(OSError):
        path.unlink()


def draw_image_html(
    builder: Callable,
    args: tuple = (),
    kwargs: Mapping | None = None,
    *,
    dpi: int,
    compact: bool = False,
    figures: ReusedFigures | None = None,
) -> str:
    """Build the figure and draw it: the ``<img>`` of ``builder(*args, **kwargs)``, no cache.

    ``figures``: the caller's figures kept for re-use (:mod:`helpers.render.figure_reuse`), given
    to a builder that takes them (a ``figures`` parameter); the others make a new figure.
    """
    from .chart_html import image_html

    kwargs = dict(kwargs or {})
    if figures is not None and "figures" in inspect.signature(builder).parameters:
        kwargs["figures"] = figures
    return image_html(builder(*args, **kwargs), dpi=dpi, compact=compact)


def default_cache() -> ChartCache:
    """The project's chart cache: ``config.CACHE_DIR / "charts"`` (``.cache/charts/``)."""
    return ChartCache(config.CACHE_DIR / "charts")


def cached_image_html(
    cache: ChartCache | None,
    builder: Callable,
    args: tuple = (),
    kwargs: Mapping | None = None,
    *,
    dpi: int,
    compact: bool = False,
    figures: ReusedFigures | None = None,
) -> str:
    """The ``<img>`` of ``builder(*args, **kwargs)`` through ``cache``; ``cache=None``: drawn.

    ``figures``: figures kept for re-use by the caller, for the charts drawn (not part of the key).
    """
    if cache is None:
        return draw_image_html(builder, args, kwargs, dpi=dpi, compact=compact, figures=figures)
    return cache.image_html(builder, args, kwargs, dpi=dpi, compact=compact, figures=figures)
