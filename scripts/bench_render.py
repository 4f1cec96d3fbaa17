"""Time drawing the eight area pages in one process, and say what was drawn.

    .venv/bin/python scripts/bench_render.py [--data data/demo] [--month 2016-09] [--repeat 3]
                                             [--what pack|page] [--fast-png] [--src DIR]
                                             [--chart-cache fresh|none|project] [--json out.json]

The cube is built once if its cache is absent; every pass loads it from the cache (untimed) and
renders the eight area pages from nothing:

- ``--what pack`` (default): what an area notebook shows in the pack — the Performance
  Information table for every geography × period and each Management Information item, the
  switchable ones for every geography × period (most of the pack's charts);
- ``--what page``: ``page.render_html()``, the page's default view only.

The chart cache (:mod:`helpers.render.chart_cache`), ``--chart-cache``:

- ``fresh`` (default): each repeat is two passes in an empty temporary cache folder — **cold** (every
  chart drawn and stored: what the first pack of a month pays) then **warm** (the same pages again
  from a new cube: what a re-run after editing the commentary pays);
- ``none``: no cache, every chart drawn (the cost before the cache);
- ``project``: the project's own cache folder (``.cache/charts/``) as it is.

For each pass: CPU seconds (``time.process_time``) and wall seconds, the number of PNGs and their
bytes. The best pass of each is printed. Two digests tell whether two code versions drew the same
pages: ``text_sha256`` of the HTML with every PNG's base64 cut out (the page text must not change),
and ``png_sizes_sha256`` of every PNG's width × height in page order; ``pngs_sha256`` of every PNG's
bytes in page order (a cold and a warm pass draw the same bytes). Compare pass N with pass N of the
other version: the views' selectors are numbered on from one pass to the next.

``--src DIR`` imports ``helpers`` from ``DIR`` (for example a git worktree of an older commit) instead
of this checkout's ``src/``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PNG_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
AREAS = range(1, 9)


def png_size(b64: str) -> tuple[int, int]:
    """Width and height from a PNG's header (the IHDR chunk follows the 8-byte signature)."""
    head = base64.b64decode(b64[:44])  # 33 bytes hold the signature and the IHDR chunk
    return struct.unpack(">II", head[16:24])


class _Default:
    """The pages' own chart cache (whatever ``sections.Context`` gives them): left alone."""


DEFAULT = _Default()


def render_area(report, area: int, month: str, cube, what: str, compact: bool, cache) -> str:
    page = report.AreaPage(area, month=month, cube=cube)
    page.compact = compact
    if cache is not DEFAULT:
        # the page makes a Context per view; give each the cache under test (None: no cache)
        make_context = page.context

        def context(*args, **kwargs):
            ctx = make_context(*args, **kwargs)
            ctx.chart_cache = cache
            return ctx

        page.context = context
    if what == "page":
        return page.render_html()
    parts = [page.header_html(), page.performance_information(interactive=False).data]
    for item in page.items:
        parts.append(page.management_information(item.key, interactive=False).data)
    return "".join(parts)


def one_pass(report, data: str, month: str, what: str, compact: bool, cache=DEFAULT) -> dict:
    # a cube loaded afresh (from its cache, untimed): nothing rendered or derived is carried over
    report.clear_caches()
    cube = report.get_cube(data)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    pages = [render_area(report, area, month, cube, what, compact, cache) for area in AREAS]
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    pngs = [m.group(1) for page in pages for m in PNG_URI.finditer(page)]
    text = "".join(PNG_URI.sub("data:image/png;base64,", page) for page in pages)
    sizes = [png_size(p) for p in pngs]
    return {
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "pngs": len(pngs),
        "distinct_pngs": len(set(pngs)),
        "png_bytes": sum(len(p) * 3 // 4 for p in pngs),
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "png_sizes_sha256": hashlib.sha256(repr(sizes).encode()).hexdigest(),
        "pngs_sha256": hashlib.sha256("\n".join(pngs).encode()).hexdigest(),
        "_sizes": sizes,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT / "data" / "demo"))
    ap.add_argument("--month", default="2016-09")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--what", choices=("pack", "page"), default="pack")
    ap.add_argument("--fast-png", action="store_true", help="full-colour PNGs (the filter bar's)")
    ap.add_argument("--src", default=str(ROOT / "src"), help="where to import helpers from")
    ap.add_argument(
        "--chart-cache",
        choices=("fresh", "none", "project"),
        default="fresh",
        help="fresh: a cold then a warm pass in an empty folder (default); none: no cache; "
        "project: the project's .cache/charts as it is",
    )
    ap.add_argument("--json", help="write the passes (and every PNG's size) here")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(Path(args.src).resolve()))
    t0 = time.perf_counter()
    from helpers.pages import report

    import_s = time.perf_counter() - t0
    data = str(Path(args.data).resolve())
    t0 = time.perf_counter()
    report.get_cube(data)
    cube_s = time.perf_counter() - t0
    print(f"helpers from {Path(report.__file__).parent}")
    print(f"import helpers.pages.report {import_s:.2f} s, cube {cube_s:.2f} s")

    try:
        from helpers.render.chart_cache import ChartCache
    except ImportError:  # a tree from before the chart cache (--src): it draws every chart
        ChartCache = None
        args.chart_cache = "project"
        print("no chart cache in this tree: every chart drawn")

    compact = not args.fast_png
    passes = []
    for i in range(args.repeat):
        if args.chart_cache == "fresh":
            with tempfile.TemporaryDirectory(prefix="bench-charts-") as tmp:
                cache = ChartCache(Path(tmp))
                for kind in ("cold", "warm"):
                    passes.append(one_pass(report, data, args.month, args.what, compact, cache))
                    passes[-1]["cache"] = kind
        elif args.chart_cache == "none":
            passes.append(one_pass(report, data, args.month, args.what, compact, None))
            passes[-1]["cache"] = "none"
        else:
            passes.append(one_pass(report, data, args.month, args.what, compact))
            passes[-1]["cache"] = "project"
        for result in passes[-2 if args.chart_cache == "fresh" else -1 :]:
            print(
                f"pass {i + 1} ({result['cache']}): CPU {result['cpu_s']:.2f} s, "
                f"wall {result['wall_s']:.2f} s, {result['pngs']} PNGs "
                f"({result['distinct_pngs']} distinct, {result['png_bytes'] / 1e6:.2f} MB)"
            )
    kinds = list(dict.fromkeys(p["cache"] for p in passes))
    best = {}
    for kind in kinds:
        of_kind = [p for p in passes if p["cache"] == kind]
        best[kind] = {
            "cpu_s": min(p["cpu_s"] for p in of_kind),
            "wall_s": min(p["wall_s"] for p in of_kind),
            **{
                k: of_kind[-1][k]
                for k in ("pngs", "png_bytes", "text_sha256", "png_sizes_sha256", "pngs_sha256")
            },
        }
        print(f"best {kind}: CPU {best[kind]['cpu_s']:.2f} s, wall {best[kind]['wall_s']:.2f} s")
    last = best[kinds[-1]]
    print(
        f"text_sha256 {last['text_sha256'][:16]}  png_sizes_sha256 {last['png_sizes_sha256'][:16]}"
    )
    digests = {kind: best[kind]["pngs_sha256"][:16] for kind in kinds}
    same = "the same PNGs" if len(set(digests.values())) == 1 else "DIFFERENT PNGs"
    print(f"pngs_sha256 {'  '.join(f'{k} {d}' for k, d in digests.items())} ({same})")
    if args.json:
        record = {
            "what": args.what,
            "compact": compact,
            "chart_cache": args.chart_cache,
            "month": args.month,
            "src": str(Path(report.__file__).parent),
            "best": best,
            "passes": [{k: v for k, v in p.items() if k != "_sizes"} for p in passes],
            "png_sizes": passes[-1]["_sizes"],
        }
        Path(args.json).write_text(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
