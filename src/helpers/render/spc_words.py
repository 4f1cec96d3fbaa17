"""What an SPC chart's icons and coloured points mean, in words, for the chart's caption.

The chart (:mod:`helpers.render.spc_charts`) shows a variation icon (and an assurance icon when
there is a target) for the latest month, and colours every earlier point that was part of a special
cause. A reader seeing a grey "no significant change" icon beside a run of blue points may take
the two to contradict each other; :func:`icon_words` says what each means, from the same frame and
the same rules the chart is drawn with.
"""

from __future__ import annotations

import pandas as pd

from .. import spc
from .spc_charts import _reclassify, too_few_for_limits

#: The points' colours in words, for captions.
COLOUR_WORDS = {
    "improvement": ("blue", "improvement"),
    "concern": ("orange", "concern"),
    "neutral_special": ("purple", "special cause, no better or worse direction"),
}

_ASSURANCE_WORDS = {
    "pass": "the P icon means the target is consistently met (the process limits lie wholly on "
    "the good side of it)",
    "fail": "the F icon means the target is consistently missed (the process limits lie wholly "
    "on the wrong side of it)",
    "hit_and_miss": "the ? icon means the target will be met in some months and missed in others "
    "(it lies within the process limits)",
}


def icon_words(df: pd.DataFrame, polarity: str | None = None, target: float | None = None) -> str:
    """What the latest month shows, what the chart's icons say and what its coloured points mean,
    in words, for its caption.

    The icons describe the latest month only; earlier coloured points mark months that were
    part of a special cause. Saying both stops a reader taking a grey "no significant change"
    icon beside a run of blue points as a contradiction.

    >>> from helpers.spc import xmr
    >>> print(icon_words(xmr([10, 12, 11, 13] * 5)))  # doctest: +NORMALIZE_WHITESPACE
    Latest month: no significant change (common cause variation; the grey icon): it is within the
    process limits and not part of a run, a trend or two of three months near a limit.
    >>> print(icon_words(xmr([10, 12, 11, 13] * 3 + [10] + [12, 13] * 4, fix_after_n_points=12),
    ...                  "lower_better"))  # doctest: +NORMALIZE_WHITESPACE
    Latest month: special cause of concern, 8 points above the mean (the orange H icon). The icon
    is about the latest month only; coloured points mark the months that are part of a special
    cause: 8 orange (concern); grey points are common cause.
    """
    polarity = df.attrs.get("polarity", "neutral") if polarity is None else polarity
    target = df.attrs.get("target") if target is None else target
    types = _reclassify(df, polarity)
    variation = spc.variation_icon(df.assign(point_type=types))
    if variation == "common_cause":
        why = (
            "it is not part of a run of 7 months on one side of the mean or a trend of 7"
            if too_few_for_limits(df) is not None
            else "it is within the process limits and not part of a run, a trend or two of three "
            "months near a limit"
        )
        text = (
            f"Latest month: no significant change (common cause variation; the grey icon): {why}."
        )
    else:
        kind, side = variation.rsplit("_", 1)
        colour = {"improvement": "blue", "concern": "orange", "neutral": "purple"}[kind]
        letter = "H" if side == "high" else "L"
        sentence = spc.summarise(df, polarity)["sentence"].split(";")[0]
        what = sentence[:1].lower() + sentence[1:].replace(": ", ", ", 1)
        if kind == "neutral":
            what += ", with no better or worse direction for this measure"
        text = f"Latest month: {what} (the {colour} {letter} icon)."
    assurance = spc.assurance_icon(df, target, polarity)
    if assurance is not None:
        text += f" Beside it, {_ASSURANCE_WORDS[assurance]}."
    counts = {k: int((types == k).sum()) for k in COLOUR_WORDS}
    coloured = [f"{n} {COLOUR_WORDS[k][0]} ({COLOUR_WORDS[k][1]})" for k, n in counts.items() if n]
    if coloured:
        icons = "icons are" if assurance is not None else "icon is"
        text += (
            f" The {icons} about the latest month only; coloured points mark the months that are "
            "part of a special cause: " + ", ".join(coloured) + "; grey points are common cause."
        )
    return text
