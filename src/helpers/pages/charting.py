"""The charts items share: every chart drawn through the run's chart cache (:func:`_chart`), the SPC
chart of a measure with its projection (:func:`spc_figures`), last year against this year by
district, and the long frame of last year / this year for a list of measures.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..contract.catalog import measure
from ..render import charts
from ..render.chart_cache import cached_image_html
from .context import Context, _lpa_of
from .wording import _fmt, _unit_label, _years


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
    months: int = 36,
) -> tuple[str, str]:
    """Return (figure HTML, sentence) for an SPC chart of a measure's monthly series.

    Uses :func:`helpers.spc.xmr` and :func:`helpers.render.spc_charts.spc_chart`; with ``projection``,
    the 3/6/12-month projection of :func:`helpers.spc.project` (seasonal when three years of
    history exist) and a line on seasonality in the sentence.
    """
    from .. import spc
    from ..render.spc_charts import spc_chart

    m = measure(measure_id)
    df = ctx.series(measure_id, months=months)
    values = df.set_index("month")["value"].astype(float) if len(df) else pd.Series(dtype=float)
    if values.notna().sum() == 0:
        no_data = _chart(ctx, charts.no_data_figure, "", title, "No monthly data for this measure")
        return no_data, "No monthly data."
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
            flagged = proj[proj["horizon_flag"]]
            parts = [
                f"{h} months ({p.strftime('%b %Y')}): {_fmt(v, m.unit, m.decimals)}"
                for h, p, v in zip(
                    flagged["horizon"], flagged.index, flagged["projection"], strict=True
                )
            ]
            seasonal = "seasonally adjusted" if proj.attrs.get("seasonal") else "straight-line"
            extra = f" Projection ({seasonal}, 95% interval shaded): " + "; ".join(parts) + "."
            if proj.attrs.get("seasonal"):
                try:
                    factors = spc.seasonal_factors(values)
                    hi, lo = factors.idxmax(), factors.idxmin()
                    name = lambda k: pd.Timestamp(2000, int(k), 1).strftime("%B")  # noqa: E731
                    extra += (
                        f" Seasonality: {name(hi)} typically runs {100 * (factors[hi] - 1):.0f}% above"
                        f" the underlying level, {name(lo)} {100 * (1 - factors[lo]):.0f}% below."
                    )
                except ValueError:
                    pass
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
    return chart, summary["sentence"] + "." + extra


def _dpi(ctx: Context) -> int:
    return charts.SMALL_DPI if ctx.small else charts.DPI


def _chart(ctx: Context, builder: Callable, caption: str, /, *args, **kwargs) -> str:
    """Return one chart of a page: ``builder(*args, **kwargs)`` as a ``<figure>`` with ``caption``.

    Every chart of the pages is drawn here, through the run's chart cache (``ctx.chart_cache``):
    its key is worked out from the builder and its arguments before the figure is built, and a
    chart drawn before from the same arguments is not drawn again. So a builder is given all that
    its chart shows — data already shaped (and blanked where withheld), titles as text — and
    reads nothing else.
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
    return charts.figure_element(img, caption)


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
