"""Charts as inline SVG strings: bars, columns and lines, labelled, with nothing to fetch."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

BLUE = "#3b6ea5"
FONT = "font-family='system-ui, sans-serif'"
PLOT_WIDTH = 520
ROW = 20


@dataclass
class Bar:
    """One bar: its value, the text written at its end, and a tooltip."""

    value: float
    text: str
    color: str = BLUE
    tip: str = ""


@dataclass
class Row:
    """A labelled row of one bar or a group of bars."""

    label: str
    bars: list[Bar] = field(default_factory=list)


def ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _svg(key: str, width: float, height: float, body: list[str], title: str) -> str:
    return (
        f"<svg data-chart='{key}' role='img' aria-label='{escape(title)}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' width='100%' {FONT} font-size='12' xmlns='http://www.w3.org/2000/svg'>"
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}='{v}'" for k, v in attrs.items())
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}'{extra}>{escape(text)}</text>"


def legend(entries: list[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for name, color in entries:
        out.append(f"<rect x='{x:.1f}' y='{y - 9:.1f}' width='10' height='10' fill='{color}'/>")
        out.append(_text(x + 14, y, name))
        x += 24 + 7 * len(name)
    return out


def hbars(key: str, title: str, rows: list[Row], axis_label: str, tick_format=str, legend_entries=()) -> str:
    """Horizontal bars, one row per category, each bar's text at its end."""
    # Widths from the longest label and end text (about 7 px a character at 12 px).
    label_width = min(230, 20 + 7 * max((len(r.label) for r in rows), default=4))
    text_width = 16 + 7 * max((len(b.text) for r in rows for b in r.bars), default=4)
    top_margin = 24 if legend_entries else 8
    per_row = ROW * max((len(r.bars) for r in rows), default=1) + 8
    height = top_margin + per_row * len(rows) + 44
    width = label_width + PLOT_WIDTH + text_width
    scale = ticks(max((b.value for r in rows for b in r.bars), default=0))
    top = scale[-1]
    body = legend(list(legend_entries), label_width, 14) if legend_entries else []
    plot_bottom = top_margin + per_row * len(rows)
    for value in scale:
        x = label_width + PLOT_WIDTH * value / top
        body.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top_margin}' y2='{plot_bottom}' stroke='#ddd'/>")
        body.append(_text(x, plot_bottom + 16, tick_format(value), "middle", fill="#555"))
    body.append(
        _text(label_width + PLOT_WIDTH / 2, plot_bottom + 36, axis_label, "middle", font_weight="600")
    )
    for i, row in enumerate(rows):
        y = top_margin + i * per_row + 4
        middle = y + ROW * len(row.bars) / 2 + 4
        body.append(_text(label_width - 8, middle, row.label, "end"))
        for j, bar in enumerate(row.bars):
            length = PLOT_WIDTH * max(bar.value, 0) / top
            by = y + j * ROW
            tip = f"<title>{escape(bar.tip or row.label + ': ' + bar.text)}</title>"
            body.append(
                f"<rect class='mark' x='{label_width}' y='{by:.1f}' width='{length:.1f}' "
                f"height='{ROW - 4}' fill='{bar.color}'>{tip}</rect>"
            )
            body.append(_text(label_width + length + 6, by + ROW - 8, bar.text))
    return _svg(key, width, height, body, title)


def columns(
    key: str,
    title: str,
    labels: list[str],
    stacks: list[list[Bar]],
    x_label: str,
    y_label: str,
    legend_entries=(),
) -> str:
    """Vertical columns (a histogram), each a stack of bars, its label under it and its total above."""
    left, top_margin, plot_height = 56, 30, 240
    step = max(18, min(60, 640 / max(len(stacks), 1)))
    width = left + step * len(stacks) + 20
    scale = ticks(max((sum(b.value for b in stack) for stack in stacks), default=0))
    top = scale[-1]
    bottom = top_margin + plot_height
    body = legend(list(legend_entries), left, 14)
    for value in scale:
        y = bottom - plot_height * value / top
        body.append(f"<line x1='{left}' x2='{width - 10}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>")
        body.append(_text(left - 6, y + 4, f"{value:g}", "end", fill="#555"))
    every = 1 if len(stacks) <= 24 else 2
    for i, (label, stack) in enumerate(zip(labels, stacks, strict=True)):
        x, y = left + i * step, bottom
        for bar in stack:
            height = plot_height * max(bar.value, 0) / top
            y -= height
            tip = f"<title>{escape(bar.tip or label + ': ' + bar.text)}</title>"
            body.append(
                f"<rect class='mark' x='{x + 2:.1f}' y='{y:.1f}' width='{step - 4:.1f}' "
                f"height='{height:.1f}' fill='{bar.color}'>{tip}</rect>"
            )
        total = sum(b.value for b in stack)
        if total:
            body.append(_text(x + step / 2, y - 4, f"{total:g}", "middle", font_size="10"))
        if i % every == 0:
            body.append(_text(x + step / 2, bottom + 14, label, "middle", font_size="10", fill="#555"))
    body.append(_text(left + step * len(stacks) / 2, bottom + 34, x_label, "middle", font_weight="600"))
    body.append(_y_label(y_label, top_margin + plot_height / 2))
    return _svg(key, width, bottom + 44, body, title)


def _y_label(text: str, middle: float) -> str:
    return _text(14, middle, text, "middle", font_weight="600", transform=f"rotate(-90 14 {middle:.0f})")


def lines(
    key: str,
    title: str,
    labels: list[str],
    series: list[tuple[str, str, list[float]]],
    x_label: str,
    y_label: str,
) -> str:
    """One line per series over the same x labels (months), with a legend above."""
    left, top_margin, plot_height = 56, 30, 240
    step = max(16, min(60, 640 / max(len(labels), 1)))
    width = left + step * max(len(labels) - 1, 1) + 40
    scale = ticks(max((v for _, _, values in series for v in values), default=0))
    top = scale[-1]
    bottom = top_margin + plot_height
    body = legend([(name, color) for name, color, _ in series], left, 14)
    for value in scale:
        y = bottom - plot_height * value / top
        body.append(f"<line x1='{left}' x2='{width - 20}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>")
        body.append(_text(left - 6, y + 4, f"{value:g}", "end", fill="#555"))
    every = max(1, math.ceil(len(labels) / 12))
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(_text(left + i * step, bottom + 14, label, "middle", font_size="10", fill="#555"))
    for name, color, values in series:
        points = [(left + i * step, bottom - plot_height * v / top) for i, v in enumerate(values)]
        path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(
            f"<path class='mark' d='{path}' fill='none' stroke='{color}' stroke-width='2'>"
            f"<title>{escape(name)}</title></path>"
        )
        for (x, y), v in zip(points, values, strict=True):
            body.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.5' fill='{color}'>"
                f"<title>{escape(name)}: {v:g}</title></circle>"
            )
    body.append(_text(left + step * (len(labels) - 1) / 2, bottom + 34, x_label, "middle", font_weight="600"))
    body.append(_y_label(y_label, top_margin + plot_height / 2))
    return _svg(key, width, bottom + 44, body, title)


def curve(
    key: str,
    title: str,
    points: list[tuple[float, float]],
    x_label: str,
    y_label: str,
    labels: tuple[str, str],
    marked: tuple[float, float, str] | None = None,
    color: str = BLUE,
) -> str:
    """A curve over the unit square (a ROC curve), the diagonal dashed, one point marked; a legend beside.

    `labels`: what the curve and the diagonal are; `marked`: x, y and what the point is.
    """
    left, top_margin, size = 56, 16, 300
    width, bottom = left + size + 360, top_margin + size
    body = []
    for value in (0, 0.25, 0.5, 0.75, 1):
        x, y = left + size * value, bottom - size * value
        body.append(f"<line x1='{left}' x2='{left + size}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>")
        body.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top_margin}' y2='{bottom}' stroke='#ddd'/>")
        body.append(_text(left - 6, y + 4, f"{value:.0%}", "end", fill="#555"))
        body.append(_text(x, bottom + 16, f"{value:.0%}", "middle", fill="#555"))
    dashed = "stroke='#999' stroke-dasharray='4 4'"
    body.append(f"<line x1='{left}' y1='{bottom}' x2='{left + size}' y2='{top_margin}' {dashed}/>")
    xy = [(left + size * px, bottom - size * py) for px, py in points]
    path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    body.append(
        f"<path class='mark' d='{path}' fill='none' stroke='{color}' stroke-width='2'>"
        f"<title>{escape(labels[0])}</title></path>"
    )
    key_x, key_y = left + size + 24, top_margin + 12
    body.append(
        f"<line x1='{key_x}' x2='{key_x + 20}' y1='{key_y}' y2='{key_y}' stroke='{color}' stroke-width='2'/>"
    )
    body.append(_text(key_x + 26, key_y + 4, labels[0]))
    body.append(f"<line x1='{key_x}' x2='{key_x + 20}' y1='{key_y + 20}' y2='{key_y + 20}' {dashed}/>")
    body.append(_text(key_x + 26, key_y + 24, labels[1]))
    if marked is not None:
        px, py, name = marked
        x, y = left + size * px, bottom - size * py
        body.append(
            f"<circle class='mark' cx='{x:.1f}' cy='{y:.1f}' r='5' fill='#d0463c'>"
            f"<title>{escape(name)}</title></circle>"
        )
        body.append(f"<circle cx='{key_x + 10}' cy='{key_y + 40}' r='5' fill='#d0463c'/>")
        body.append(_text(key_x + 26, key_y + 44, name))
    body.append(_text(left + size / 2, bottom + 36, x_label, "middle", font_weight="600"))
    body.append(_y_label(y_label, top_margin + size / 2))
    return _svg(key, width, bottom + 44, body, title)
