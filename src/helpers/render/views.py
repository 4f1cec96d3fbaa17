"""Kernel-free views: pre-rendered tables switched by plain JavaScript.

A commander opens the pack's HTML from an e-mail or an intranet share, with no kernel and no
internet. ipywidgets cannot help there (their callbacks need Python, and their JavaScript comes from a
CDN), so the pack renders every geography × period combination in advance and a few lines of inline
vanilla JavaScript show the one picked in two ``<select>`` elements.

- All selectors with the same ``key`` on a page move together: picking Colchester in the performance
  table also shows Colchester in every other section of the page.
- The choice is kept in ``location.hash`` (``#geography=Colchester&period=fytd``), so a link can open
  a district view and the pack's navigation links carry it from page to page.
- Identical renders (a force-only measure reads the same for every district) are stored once; the
  other combinations point at the stored copy, which keeps pages small.

Examples
--------
>>> html = switcher(lambda g, p: f"<p>{g} {p}</p>", [("force", "Force"), ("lpa", "North")],
...                 ["rolling-12m", "fytd"])
>>> html.data.count('class="ppw-view"')
4
"""

from __future__ import annotations

import functools
import hashlib
import html as _html
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from IPython.display import HTML

from ..geography import LEVEL_LABELS, Hierarchy
from ..periods import PERIOD_LABELS

#: The key whose choice is written to the hash without a prefix (``#geography=…&period=…``).
DEFAULT_KEY = "perf"

_SCRIPT_FILE = Path(__file__).with_name("templates") / "ppw_views.js"

# Counts switchers rendered in this process so that element ids stay unique on a page and the
# same notebook run top to bottom always gives the same ids (no random uuids: deterministic output).
_counter = itertools.count(1)


@functools.cache
def _script() -> str:
    """The switching script without its comments and indentation (it is repeated per switcher)."""
    text = re.sub(r"/\*.*?\*/", "", _SCRIPT_FILE.read_text(encoding="utf-8"), flags=re.DOTALL)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def geography_options(cube, *, include_unassigned: bool = False) -> list[tuple[str, str]]:
    """Return the selector's geographies as ``(level, name)``: Force, the LPAs, the districts.

    Parameters
    ----------
    cube
        A :class:`helpers.measures.cube.Cube` (its :class:`helpers.geography.Hierarchy`). When None, the
        reference table of districts is used.
    include_unassigned
        Offer the "Unassigned" district (records the source could not place). Off by default: it is
        counted in the Force total but is not a place a commander can act on.

    Returns
    -------
    list of (level, name)
        Force first, then LPAs and districts in alphabetical order.
    """
    hierarchy = cube.hierarchy if cube is not None else Hierarchy.from_reference()
    return hierarchy.options(include_unassigned)


def _normalise_geographies(geographies: Iterable) -> list[tuple[str | None, str]]:
    out = []
    for g in geographies:
        if isinstance(g, str):
            out.append(("force" if g == "Force" else None, g))
        else:
            level, name = g
            out.append((str(level), str(name)))
    if not out:
        raise ValueError("switcher needs at least one geography")
    return out


def _geography_select(geos: list[tuple[str | None, str]], key: str, selected: str) -> str:
    groups: dict[str | None, list[str]] = {}
    for level, name in geos:
        groups.setdefault(level, []).append(name)

    def option(name: str) -> str:
        sel = " selected" if name == selected else ""
        return f'<option value="{_html.escape(name)}"{sel}>{_html.escape(name)}</option>'

    parts = [
        f'<select class="ppw-geography" data-key="{_html.escape(key)}" aria-label="Geography">'
    ]
    for level, names in groups.items():
        options = "".join(option(n) for n in names)
        if level is None:
            parts.append(options)
        else:
            label = LEVEL_LABELS.get(level, level.title())
            parts.append(f'<optgroup label="{_html.escape(label)}">{options}</optgroup>')
    parts.append("</select>")
    return "".join(parts)


def _period_select(periods: Sequence[str], key: str, selected: str) -> str:
    options = "".join(
        f'<option value="{_html.escape(p)}"{" selected" if p == selected else ""}>'
        f"{_html.escape(PERIOD_LABELS.get(p, p))}</option>"
        for p in periods
    )
    return (
        f'<select class="ppw-period" data-key="{_html.escape(key)}" aria-label="Period">'
        f"{options}</select>"
    )


def switcher(
    render: Callable[[str, str], str],
    geographies: Iterable,
    periods: Sequence[str],
    *,
    default: tuple[str, str] | None = None,
    key: str = DEFAULT_KEY,
    varies_with: Sequence[str] = ("geography", "period"),
) -> HTML:
    """Return one HTML block with every geography × period view and selectors to switch between them.

    Parameters
    ----------
    render
        ``render(geography, period) -> str``: the HTML of one view. Called once per combination.
    geographies
        ``(level, name)`` pairs as from :func:`geography_options`, or plain names.
    periods
        Period kinds (``rolling-12m``, ``fytd``, ``month``), shown with their labels.
    default
        ``(geography, period)`` shown first and when JavaScript is off; the first of each by default.
    key
        Selectors with the same key on one page are kept in step. The default key's choice is kept in
        the hash as ``#geography=…&period=…``; another key's as ``#<key>.geography=…``.
    varies_with
        What the render depends on. A monthly trend chart is the same whatever the period:
        ``varies_with=("geography",)`` calls ``render`` once per geography (with the default
        period) instead of once per combination; ``("period",)`` once per period. Identical
        renders are stored once either way; this saves the time of rendering them.

    Returns
    -------
    IPython.display.HTML
        Two ``<select>`` elements (classes ``ppw-geography`` and ``ppw-period``), one
        ``<div class="ppw-view" data-geography=… data-period=…>`` per combination (all hidden but the
        default; a repeated render is an empty div with ``data-same-as`` naming the stored copy) and
        a small inline script. Works from ``file://`` with no network.

    Raises
    ------
    ValueError
        No geographies or periods, or a default that is not among them.
    """
    geos = _normalise_geographies(geographies)
    periods = list(periods)
    if not periods:
        raise ValueError("switcher needs at least one period")
    names = [name for _, name in geos]
    default_geo, default_period = default if default is not None else (names[0], periods[0])
    if default_geo not in names:
        raise ValueError(f"default geography {default_geo!r} is not one of {names}")
    if default_period not in periods:
        raise ValueError(f"default period {default_period!r} is not one of {periods}")

    unknown = set(varies_with) - {"geography", "period"}
    if unknown:
        raise ValueError(f"varies_with takes 'geography' and/or 'period', not {sorted(unknown)}")
    rendered: dict[tuple[str, str], str] = {}

    def render_once(geography: str, period: str) -> str:
        args = (
            geography if "geography" in varies_with else default_geo,
            period if "period" in varies_with else default_period,
        )
        if args not in rendered:
            rendered[args] = str(render(*args))
        return rendered[args]

    block = next(_counter)
    stored: dict[str, str] = {}  # content digest -> id of the div holding it
    views: list[tuple[str, str, str, str | None]] = []  # geography, period, div id, content
    for (_, geography), period in itertools.product(geos, periods):
        content = render_once(geography, period)
        digest = hashlib.sha1(content.encode("utf-8")).hexdigest()
        if digest in stored:
            views.append((geography, period, stored[digest], None))
        else:
            stored[digest] = f"ppw-{block}-{len(stored) + 1}"
            views.append((geography, period, stored[digest], content))
    # Without JavaScript the div holding the default's content is the one shown.
    shown = views[names.index(default_geo) * len(periods) + periods.index(default_period)][2]

    period_label = PERIOD_LABELS.get(default_period, default_period)
    parts = [
        f'<div class="ppw-switcher" data-key="{_html.escape(key)}">',
        '<div class="ppw-selectors">',
        # A selector with one choice stays in the page (it keeps the others in step) but hidden.
        f"<label{'' if len(geos) > 1 else ' hidden'}>Geography "
        f"{_geography_select(geos, key, default_geo)}</label> ",
        f"<label{'' if len(periods) > 1 else ' hidden'}>Period "
        f"{_period_select(periods, key, default_period)}</label>",
        "</div>",
        # Printed instead of the selectors (the pack's print style shows it).
        f'<div class="ppw-print-label" style="display:none">{_html.escape(default_geo)} · '
        f"{_html.escape(period_label)}</div>",
    ]
    for geography, period, div_id, content in views:
        attrs = (
            f'class="ppw-view" data-geography="{_html.escape(geography)}" '
            f'data-period="{_html.escape(period)}"'
        )
        if content is None:
            parts.append(f'<div {attrs} data-same-as="{div_id}" hidden></div>')
        else:
            hidden = "" if div_id == shown else " hidden"
            parts.append(f'<div {attrs} id="{div_id}"{hidden}>{content}</div>')
    parts.append("</div>")
    parts.append(f"<script>{_script()}</script>")
    return HTML("\n".join(parts))
