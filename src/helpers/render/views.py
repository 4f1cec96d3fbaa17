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
- What the page says follows what it shows. The selectors are rendered hidden and shown by the
  script, so with JavaScript off (or a notebook opened untrusted) no selector can name another view
  than the default one shown. Text marked ``data-ppw-geography`` / ``data-ppw-period`` (the page
  shell's heading: ``<span data-ppw-period>``, with ``data-key`` for another key than the
  default) is rewritten with the choice. A hash naming no view (``#geography=Nowhere``) shows
  the default and says so; a known name in another case (``colchester``) is that view.
- A block with ``selectors=False`` has no selectors of its own: it follows the page's (the same
  key). A ``force_only`` block shows the force's figures for every geography and, when a district
  or LPA is chosen, the line "Force figures: this chart is not kept by district (…)" above them.

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


def force_only_line(reason: str, content: str = "") -> str:
    """The sentence above a force-only item on a district or LPA view.

    ``content``: the item's HTML, to say "this chart" or "these charts" as it holds one or more.

    >>> force_only_line("drawn for the force only")
    'Force figures: this chart is not kept by district (drawn for the force only).'
    """
    what = "these charts are" if content.count("<img") > 1 else "this chart is"
    return f"Force figures: {what} not kept by district ({reason})."


def switcher(
    render: Callable[[str, str], str],
    geographies: Iterable,
    periods: Sequence[str],
    *,
    default: tuple[str, str] | None = None,
    key: str = DEFAULT_KEY,
    varies_with: Sequence[str] = ("geography", "period"),
    selectors: bool = True,
    force_only: str | None = None,
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
    selectors
        False: no selectors and no script of its own; the block follows the selectors of the
        same key elsewhere on the page (whose script switches it too). For an item that needs
        no selector above it, on a page that has selectors.
    force_only
        The reason an item is not kept by district ("drawn for the force only, …"): ``render``
        is called with the force's name for every geography (it draws the force's figures), and
        the line of :func:`force_only_line` shows above the views whenever the geography chosen
        is not the force.

    Returns
    -------
    IPython.display.HTML
        Two ``<select>`` elements (classes ``ppw-geography`` and ``ppw-period``) in a
        ``<div class="ppw-selectors" hidden>`` that the script shows, one
        ``<div class="ppw-view" data-geography=… data-period=…>`` per combination (all hidden but the
        default; a repeated render is an empty div with ``data-same-as`` naming the stored copy) and
        a small inline script. Works from ``file://`` with no network.

    Raises
    ------
    ValueError
        No geographies or periods, a default that is not among them, or ``force_only`` without
        a geography of level "force".
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
    force = next((name for level, name in geos if level == "force"), None)
    if force_only is not None:
        if force is None:
            raise ValueError("force_only needs the force among the geographies")
        varies_with = [v for v in varies_with if v != "geography"]
    rendered: dict[tuple[str, str], str] = {}

    def render_once(geography: str, period: str) -> str:
        if "geography" in varies_with:
            g = geography
        else:  # a force-only item draws the force's figures; any other, the default's
            g = force if force_only is not None else default_geo
        args = (g, period if "period" in varies_with else default_period)
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
        f'<div class="ppw-switcher" data-key="{_html.escape(key)}" '
        f'data-shown-geography="{_html.escape(default_geo)}" '
        f'data-shown-period="{_html.escape(default_period)}">',
    ]
    if selectors:
        parts += [
            # Hidden until the script runs: without it, a selector could be changed to name a
            # view that is not shown.
            '<div class="ppw-selectors" hidden>',
            # A selector with one choice stays in the page (it keeps the others in step) but hidden.
            f"<label{'' if len(geos) > 1 else ' hidden'}>Geography "
            f"{_geography_select(geos, key, default_geo)}</label> ",
            f"<label{'' if len(periods) > 1 else ' hidden'}>Period "
            f"{_period_select(periods, key, default_period)}</label>",
            "</div>",
        ]
    # Printed instead of the selectors (the pack's print style shows it).
    parts.append(
        f'<div class="ppw-print-label" style="display:none">{_html.escape(default_geo)} · '
        f"{_html.escape(period_label)}</div>"
    )
    if force_only is not None:
        line = force_only_line(force_only, views[0][3] or "")
        hidden = " hidden" if default_geo == force else ""
        parts.append(
            f'<p class="ppw-info ppw-force-only" data-ppw-force-only="{_html.escape(force)}"'
            f"{hidden}>{_html.escape(line)}</p>"
        )
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
    if selectors:  # a block that follows others is switched by their copy of the script
        parts.append(f"<script>{_script()}</script>")
    return HTML("\n".join(parts))
