"""Charts for reports and the lead pages: matplotlib figures as inline SVG (or PNG for benches).

Every chart goes through ``svg_of``, which makes matplotlib's SVG fit inside an HTML page under
a strict Content-Security-Policy: no XML prolog or metadata, no ``<style>`` element and no
``style`` attributes (each declaration becomes a presentation attribute, which CSP allows),
ids prefixed per chart so several charts on one page never share one, text kept as text
(searchable, accessible), and the figure scaled to its container. Output is deterministic.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.figure import Figure

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# One palette for every chart: teal for measured values, red for alerts, grey for context.
TEAL, BLUE, RED, GREY, INK = "#3f8f89", "#7a9cc6", "#c0513c", "#8a94a3", "#161b22"
SERIES = (TEAL, "#d08c2f", BLUE, "#8e6bb8", RED, GREY)
_STYLE = {
    "svg.fonttype": "none",  # text stays <text>
    "svg.hashsalt": "voxguard",  # deterministic clip-path ids
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": 9.5,
    "axes.edgecolor": "#c9d1d9",
    "axes.labelcolor": INK,
    "xtick.color": "#4b5563",
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e7eb",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
}
# Set once for the process, not per chart: rc_context would toggle global state under web
# threads drawing at once. Only voxguard's charts draw with matplotlib in its processes.
matplotlib.rcParams.update(_STYLE)
_ids = itertools.count(1)
_URL = re.compile(r"url\(#([^)]+)\)")


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure with the house style (no pyplot: no global state, safe in web threads)."""
    return Figure(figsize=(width_in, height_in), layout="constrained")


def png_of(fig: Figure, dpi: int = 130) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def svg_of(fig: Figure, *, title: str, css_class: str = "", fill: bool = True) -> str:
    """The figure as one ``<svg>`` element for an HTML page (see the module docstring).

    ``fill``: as wide as its container; else its own width (a small chart stays small).
    """
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    root = ET.fromstring(buffer.getvalue())
    prefix = f"c{next(_ids)}-"
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style"):
                parent.remove(child)
    for element in root.iter():
        _inline_style(element)
        for name, value in list(element.attrib.items()):
            if name == "id":
                element.set(name, prefix + value)
            elif name == f"{{{XLINK_NS}}}href" and value.startswith("#"):
                element.set(name, "#" + prefix + value[1:])
            elif "url(#" in value:
                element.set(name, _URL.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))
    natural_width = float(root.attrib.pop("width", "0pt").removesuffix("pt") or 0) * 4 / 3
    root.attrib.pop("height", None)
    root.set("class", " ".join(c for c in ("chart", css_class) if c))
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("width", "100%" if fill else f"{natural_width:.0f}")
    root.set("stroke-linejoin", "round")
    root.set("preserveAspectRatio", "xMinYMin meet")
    heading = ET.Element(f"{{{SVG_NS}}}title")
    heading.text = title
    root.insert(0, heading)
    return ET.tostring(root, encoding="unicode")


def _inline_style(element: ET.Element) -> None:
    style = element.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            element.set(name.strip(), value.strip())


# ----------------------------------------------------------------------------- bar charts


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the figure printed at the end of the bar
    alert: bool = False


def nice_step(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10 * power


def axis(largest: float, ticks: int = 5) -> tuple[float, float]:
    """(end, step) of an axis from 0 that holds ``largest`` in at most ``ticks`` round steps."""
    step = nice_step(largest / ticks)
    return step * max(1, math.ceil(largest / step - 1e-9)), step


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    largest: float,
    tick_label: Callable[[float], str],
    threshold: float | None = None,
    threshold_label: str = "",
    css_class: str = "",
    color: str = TEAL,
) -> str:
    """Horizontal bars, one row per label, with an optional dashed alert line."""
    end, step = axis(largest if largest > 0 else 1.0)
    fig = new_figure(6.2, 0.55 + 0.34 * max(1, len(bars)))
    ax = fig.add_subplot()
    rows = list(reversed(bars))  # first bar on top
    for i, bar in enumerate(rows):
        if bar.value is not None:
            ax.barh(
                i,
                min(bar.value, end),
                height=0.56,
                color=RED if bar.alert else color,
                gid=f"bar-alert-{i}" if bar.alert else f"bar-{i}",
            )
        x = min(bar.value or 0.0, end) + end * 0.015
        ax.text(
            x if bar.value is not None else 0.0,
            i,
            bar.text,
            va="center",
            fontsize=8.5,
            color=(RED if bar.alert else "#374151") if bar.value is not None else GREY,
            fontweight="bold" if bar.alert else "normal",
            fontstyle="normal" if bar.value is not None else "italic",
        )
    ax.set_yticks(range(len(rows)), [b.label for b in rows], family="monospace")
    ticks = [step * k for k in range(round(end / step) + 1)]
    ax.set_xticks(ticks, [tick_label(t) for t in ticks])
    ax.set_xlim(0, end * 1.32)  # room for the figures printed after the bars
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    if threshold is not None:
        ax.axvline(min(threshold, end), color=RED, linestyle="--", linewidth=1.3, gid="threshold")
        ax.text(
            min(threshold, end), len(rows) - 0.45, threshold_label, color=RED, fontsize=8.5,
            ha="center", va="bottom", fontweight="bold", gid="threshold-label",
        )  # fmt: skip
    return svg_of(fig, title=title, css_class=css_class)


# ----------------------------------------------------------------------------- intervals


@dataclass(frozen=True)
class Interval:
    group: str  # the row label, e.g. "en-us"
    series: str  # the engine, e.g. "device"
    value: float
    low: float
    high: float
    n: int  # clips behind the figure


def interval_chart(
    intervals: Sequence[Interval],
    *,
    title: str,
    value_label: str,
    percent: bool = True,
    css_class: str = "",
) -> str:
    """A dot per (group, series) with its 95 % interval as a line; groups as rows."""
    groups = list(dict.fromkeys(i.group for i in intervals))
    series = list(dict.fromkeys(i.series for i in intervals))
    fig = new_figure(6.4, 0.7 + 0.22 * len(groups) * max(1, len(series)) + 0.25 * len(groups))
    ax = fig.add_subplot()
    band = 0.7 / max(1, len(series))
    for s_index, name in enumerate(series):
        color = SERIES[s_index % len(SERIES)]
        points = [i for i in intervals if i.series == name]
        ys = [
            len(groups) - 1 - groups.index(p.group) + 0.35 - band * (s_index + 0.5) for p in points
        ]
        xs = [p.value for p in points]
        errors = [[p.value - p.low for p in points], [p.high - p.value for p in points]]
        ax.errorbar(
            xs, ys, xerr=errors, fmt="o", color=color, ecolor=color, elinewidth=1.6,
            capsize=2.5, markersize=4.5, label=name, gid=f"series-{s_index}",
        )  # fmt: skip
    ax.set_yticks(range(len(groups)), list(reversed(groups)))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(value_label)
    top = max((i.high for i in intervals), default=1.0)
    ax.set_xlim(0, max(top * 1.08, 0.05))
    if percent:
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{v * 100:.0f}%")
    if len(series) > 1:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    return svg_of(fig, title=title, css_class=css_class)


def confusion_chart(
    labels: Sequence[str], matrix: Sequence[Sequence[int]], *, title: str, css_class: str = ""
) -> str:
    """Rows: the human label; columns: the device's intent; shade by share of the row."""
    import numpy as np

    counts = np.asarray(matrix, dtype=float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = 1.6 + 0.28 * len(labels)
    fig = new_figure(size + 1.6, size + 1.0)
    ax = fig.add_subplot()
    ax.imshow(shares, cmap="BuGn", vmin=0, vmax=1, aspect="auto")
    ax.grid(False)
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7.5)
    ax.set_yticks(range(len(labels)), labels, fontsize=7.5)
    ax.set_xlabel("device intent")
    ax.set_ylabel("reviewers' intent")
    for (r, c), n in np.ndenumerate(counts):
        if n:
            ax.text(
                c, r, f"{int(n)}", ha="center", va="center", fontsize=7,
                color="white" if shares[r, c] > 0.6 else INK,
            )  # fmt: skip
    return svg_of(fig, title=title, css_class=css_class, fill=False)


def draw_lines(
    ax: Any,
    series: dict[str, Sequence[tuple[float, float]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    baselines: dict[str, float] | None = None,
    percent: bool = True,
) -> None:
    """Lines of (x, y) points on ``ax``, with dashed horizontal baselines (learning curves)."""
    for index, (name, points) in enumerate(series.items()):
        xs, ys = zip(*points, strict=True) if points else ((), ())
        ax.plot(xs, ys, marker="o", markersize=3.5, color=SERIES[index % len(SERIES)], label=name)
    for index, (name, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color=GREY if index else INK, linestyle="--" if index == 0 else ":",
                   linewidth=1.2, label=name)  # fmt: skip
    ax.set_title(title, loc="left", fontsize=10.5)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if percent:
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v * 100:.0f}%")
    ax.legend(fontsize=8, frameon=False)


__all__ = [
    "Bar",
    "Interval",
    "axis",
    "bar_chart",
    "confusion_chart",
    "draw_lines",
    "interval_chart",
    "new_figure",
    "png_of",
    "svg_of",
]
