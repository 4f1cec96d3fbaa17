"""A chart as HTML: the figure drawn to an inline PNG, in an ``<img>`` and a ``<figure>``.

:func:`image_html` is what :mod:`helpers.render.chart_cache` keeps (everything of a chart that its
figure decides); :func:`figure_element` wraps it with a caption, as the pages show it;
:func:`figure_html` does both for a figure in hand. The PNG is drawn by
:func:`helpers.render.spc_charts.render_image` and written without metadata, so the same figure
gives the same bytes on every run.
"""

from __future__ import annotations

import base64
import html
import io

from matplotlib.figure import Figure

#: Report resolution: a 9-inch chart is 900 pixels wide, the width of an A4 page on screen.
DPI = 100


def chart_title(fig: Figure) -> str:
    """The chart's title (tests, alt text)."""
    sup = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    return (sup or "").replace("\n", " ") or "; ".join(
        t for t in (ax.get_title(loc="left") or ax.get_title() for ax in fig.axes) if t
    )


def png_data_uri(fig: Figure, dpi: int = DPI, *, compact: bool = False) -> str:
    """Return the figure as a ``data:image/png;base64,…`` URI (deterministic: no metadata).

    ``compact``: a 256-colour palette PNG (:func:`helpers.render.spc_charts.fig_to_base64_png`), about a
    third of the bytes, for the pack's HTML; otherwise a fast full-colour PNG for live re-renders.
    """
    from .spc_charts import fig_to_base64_png, render_image

    if compact:
        return fig_to_base64_png(fig, dpi=dpi)
    buf = io.BytesIO()
    # RGB: the background is opaque white, so the alpha channel would only add bytes and time
    render_image(fig, dpi).convert("RGB").save(buf, format="png", compress_level=1, dpi=(dpi, dpi))
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def image_html(
    fig: Figure, *, alt: str | None = None, dpi: int = DPI, compact: bool = False
) -> str:
    """Return the chart as an HTML ``<img>``: an inline PNG, its title as the alternative text.

    What :mod:`helpers.render.chart_cache` keeps: everything of a chart that its figure decides.
    """
    title = alt if alt is not None else (chart_title(fig) or "Chart")
    return (
        f'<img src="{png_data_uri(fig, dpi, compact=compact)}" alt="{html.escape(title, quote=True)}" '
        'style="max-width:100%;height:auto">'
    )


def figure_element(img: str, caption: str = "") -> str:
    """Return an HTML ``<figure>`` of an ``<img>`` (:func:`image_html`) and a one-line caption."""
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="ppw-figure">{img}{cap}</figure>'


def figure_html(
    fig: Figure,
    caption: str = "",
    *,
    alt: str | None = None,
    dpi: int = DPI,
    compact: bool = False,
) -> str:
    """Return an HTML ``<figure>``: the chart as an inline PNG and a one-line caption.

    The alternative text is the chart's title (or ``alt``) so the page reads without images.
    """
    return figure_element(image_html(fig, alt=alt, dpi=dpi, compact=compact), caption)
