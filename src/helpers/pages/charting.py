"""The charts items share: every chart drawn through the run's chart cache (:func:`_chart`), the SPC
chart of a measure with its projection and its caption in words (:func:`spc_with_caption`: SPC or
run chart, what the icons and coloured points mean), last year against this year by district, the
long frame of last year / this year for a list of measures, and a stale source flagged in an item's
captions (:func:`flag_stale`). Each chart is followed by its data as a table (``Chart data``).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd

from ..contract.catalog import measure
from ..render import charts, tables
from ..render.chart_cache import cached_image_html
from ..render.chart_data import chart_data_html
from .context import Context, _lpa_of
from .coverage import SOURCE_NAMES, data_to_label, stale_text
from .wording import _caption, _fmt, _p, _unit_label, _years

#: Months of history an SPC chart of a measure's monthly series shows, and that the master's
#: findings read (:mod:`helpers.pages.findings`), so a chart and the summary see the same limits.
SPC_MONTHS = 36
#: Measures charted with a longer history (a seasonal projection wants three full years and more).
SPC_MONTHS_BY_MEASURE = {"all_crime": 48, "solved_rate": 48}


def spc_months(measure_id: str) -> int:
    """Months of history of ``measure_id``'s SPC chart."""
    return SPC_MONTHS_BY_MEASURE.get(measure_id, SPC_MONTHS)


def _year_frame(ctx: Context, ids_labels: list[tuple[str, str]], kind: str | None = None):
    """Long frame category × (Last year, This year) for a list of (measure id, label)."""
    rows = []
    for mid, label in ids_labels:
        ly, ty = ctx.pair(mid, kind=kind)
        rows.append({"category": label, "year": "Last year", "value": ly})
        rows.append({"category": label, "year": "This year", "value": ty})
    return pd.DataFrame(rows)


def spc_figures(
    ctx: Context,
    measure_id: str,
    *,
    title: str,
    unit_label: str | None = None,
    projection: bool = False,
    months: int | None = None,
) -> tuple[str, str]:
    """Return (figure HTML, sentence) for an SPC chart of a measure's monthly series.

    Uses :func:`helpers.spc.xmr` and :func:`helpers.render.spc_charts.spc_chart`; with ``projection``,
    the 3/6/12-month projection of :func:`helpers.spc.project` (seasonal when three years of
    history exist) and a line on seasonality in the sentence. :func:`spc_with_caption` gives the
    figure with its whole caption (what the chart is, what its icons and colours mean).
    """
    chart, frame, sentence, extra = _spc(
        ctx, measure_id, title=title, unit_label=unit_label, projection=projection, months=months
    )
    if frame is None:
        return chart, sentence
    return chart, sentence + "." + extra


def spc_with_caption(
    ctx: Context,
    measure_id: str,
    *,
    about: str,
    title: str,
    unit_label: str | None = None,
    projection: bool = False,
    months: int | None = None,
) -> str:
    """The SPC chart of a measure's monthly series as a ``<figure>`` with its caption.

    The caption says what the chart is — "Statistical process control (SPC) chart ``about``" or,
    where the latest period has too few months for process limits (:data:`helpers.spc.
    MIN_POINTS_FOR_LIMITS`), "Run chart ``about``: too few months for control limits (12 of 13)"
    — then what the latest month shows, what the icons and the coloured points mean
    (:func:`helpers.render.spc_words.icon_words`) and the projection. No
    monthly data at all: one plain sentence, not an empty chart.
    """
    from ..render.spc_charts import too_few_for_limits
    from ..render.spc_words import icon_words

    m = measure(measure_id)
    chart, frame, _sentence, extra = _spc(
        ctx, measure_id, title=title, unit_label=unit_label, projection=projection, months=months
    )
    if frame is None:
        return _p(f"{title}: no monthly data for this measure.")
    short = too_few_for_limits(frame)
    if short is None:
        kind = f"Statistical process control (SPC) chart {about}: each month against its mean "
        kind += "(solid line) and process limits (dashed)"
    else:
        kind = f"Run chart {about}: too few months for control limits ({short[0]} of "
        kind += f"{short[1]}), so each month is shown against its mean only"
    text = f"{kind}. {icon_words(frame, m.polarity)}{extra}"
    return chart.replace("</figure>", _caption(text) + "</figure>")


def _spc(ctx: Context, measure_id: str, *, title, unit_label, projection, months):
    """(chart HTML, xmr frame, summary sentence, projection sentence) of a measure's SPC chart;
    frame None (and a no-data figure) when the series has no value."""
    from .. import spc
    from ..render.spc_charts import spc_chart

    m = measure(measure_id)
    df = ctx.series(measure_id, months=months or spc_months(measure_id))
    values = df.set_index("month")["value"].astype(float) if len(df) else pd.Series(dtype=float)
    if values.notna().sum() == 0:
        no_data = _chart(ctx, charts.no_data_figure, "", title, "No monthly data for this measure")
        return no_data, None, "No monthly data.", ""
    values.index = pd.PeriodIndex(values.index, freq="M")
    frame = spc.xmr(values, polarity=m.polarity)
    summary = spc.summarise(frame, m.polarity)
    proj = None
    extra = ""
    if projection and values.notna().all() and len(values) >= 12:
        try:
            proj = spc.project(values, horizons=(3, 6, 12), seasonal="auto")
        except ValueError:
            proj = None
        if proj is not None:
            extra = _projection_words(proj, values, m)
    chart = _chart(
        ctx,
        spc_chart,
        "",
        frame,
        title=title,
        unit_label=unit_label or _unit_label(m),
        polarity=m.polarity,
        projection=proj,
    )
    return chart, frame, summary["sentence"], extra


def _projection_words(proj: pd.DataFrame, values: pd.Series, m) -> str:
    """ " Projection (seasonally adjusted, 95% interval shaded): 3 months (Jun 2014): 8,306; …"
    and, for a seasonal projection, the busiest and quietest months."""
    from .. import spc

    flagged = proj[proj["horizon_flag"]]
    parts = [
        f"{h} months ({p.strftime('%b %Y')}): {_fmt(v, m.unit, m.decimals)}"
        for h, p, v in zip(flagged["horizon"], flagged.index, flagged["projection"], strict=True)
    ]
    seasonal = "seasonally adjusted" if proj.attrs.get("seasonal") else "straight-line"
    extra = f" Projection ({seasonal}, 95% interval shaded): " + "; ".join(parts) + "."
    if proj.attrs.get("seasonal"):
        try:
            factors = spc.seasonal_factors(values)
        except ValueError:
            return extra
        hi, lo = factors.idxmax(), factors.idxmin()
        name = lambda k: pd.Timestamp(2000, int(k), 1).strftime("%B")  # noqa: E731
        extra += (
            f" Seasonality: {name(hi)} typically runs {100 * (factors[hi] - 1):.0f}% above"
            f" the underlying level, {name(lo)} {100 * (1 - factors[lo]):.0f}% below."
        )
    return extra


def flag_stale(ctx: Context, body: str, stale: dict) -> str:
    """An item's HTML with its stale sources flagged where its figures are shown: each chart's
    caption starts "Data to Mar 2015 (drug tests on arrest)."; an item without a chart caption
    gets the caution as a note above it. ``stale``: :meth:`Context.stale`."""
    if not stale:
        return body
    label = data_to_label(stale)
    names = ", ".join(SOURCE_NAMES.get(s, s) for s in stale)
    lead = (
        f"<figcaption><b>{html.escape(label[:1].upper() + label[1:])}</b> ({html.escape(names)}). "
    )
    if "<figcaption>" in body:
        return body.replace("<figcaption>", lead)
    return tables.note_html(stale_text(stale, ctx.month), "warning") + body


def _dpi(ctx: Context) -> int:
    return charts.SMALL_DPI if ctx.small else charts.DPI


def _chart(ctx: Context, builder: Callable, caption: str, /, *args, **kwargs) -> str:
    """Return one chart of a page: ``builder(*args, **kwargs)`` as a ``<figure>`` with ``caption``.

    Every chart of the pages is drawn here, through the run's chart cache (``ctx.chart_cache``):
    its key is worked out from the builder and its arguments before the figure is built, and a
    chart drawn before from the same arguments is not drawn again. So a builder is given all that
    its chart shows — data already shaped (and blanked where withheld), titles as text — and
    reads nothing else. Under the chart, its data as a table (closed ``<details>``, from the same
    arguments: :mod:`helpers.render.chart_data`), so that its figures do not exist only as a
    picture.
    """
    img = cached_image_html(
        ctx.chart_cache,
        builder,
        args,
        kwargs,
        dpi=_dpi(ctx),
        compact=ctx.compact,
        figures=ctx.figures,
    )
    return charts.figure_element(img, caption) + chart_data_html(builder, args, kwargs)


def _district_bar(
    ctx: Context, measure_id: str, title: str, value_label: str, *, kind: str | None = None
) -> str:
    """Last year vs this year by district (the districts of the chosen LPA below force)."""
    m = measure(measure_id)
    win = ctx.window_for(m, kind)
    rows = []
    for d in ctx.local_districts():
        rows.append(
            {
                "district": d,
                "year": "Last year",
                "value": ctx.number(measure_id, win.last_year(), d),
            }
        )
        rows.append({"district": d, "year": "This year", "value": ctx.number(measure_id, win, d)})
    df = pd.DataFrame(rows)
    where = "each district" if ctx.level == "force" else f"each district of {_lpa_of(ctx)} LPA"
    ly, ty = _years(ctx, m, kind)
    return _chart(
        ctx,
        charts.grouped_bar,
        f"{m.title} in {where}: {ly} (grey) against {ty} (blue).",
        df,
        category="district",
        value="value",
        title=title,
        value_label=value_label,
        unit=m.unit,
        decimals=0 if m.unit == "count" else m.decimals,
        horizontal=True,
        height=max(2.6, 0.32 * max(1, len(ctx.local_districts())) + 1.2),
    )
