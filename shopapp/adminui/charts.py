"""Chart geometry for the admin's server-rendered SVG: pure Python, no Django, no JavaScript.

The functions take labels and numbers and return coordinates, paths and ticks; the templates under
`templates/adminui/charts/` draw them. Series may hold None (no data that day): the line breaks
there instead of dropping to zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

# Line colours with at least 3:1 contrast on white (WCAG 1.4.11), distinct in hue and lightness,
# and every line also carries a text label, so colour is never the only cue.
PALETTE = ("#2c6ecb", "#1c6b4f", "#a33a8c", "#8a6116", "#c5280c", "#0e7a8a", "#5c5f62")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3")


def compact_number(value: float) -> str:
    """1234 -> '1.2k', 2_500_000 -> '2.5M'; small numbers keep up to one decimal."""
    magnitude = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= threshold:
            scaled = value / threshold
            text = f"{scaled:.1f}" if abs(scaled) < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= value (1 for value <= 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return step * power
    return 10 * power


@dataclass(frozen=True)
class Tick:
    position: float  # pixels along the axis
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the x label, e.g. a date
    value: float


@dataclass(frozen=True)
class Line:
    name: str
    color: str
    dash: str
    path: str  # SVG path data; empty when the series has no values
    points: tuple[Point, ...]
    last: Point | None  # the line's last point
    total: float
    label_y: float = 0.0  # where its end label goes: near `last`, pushed apart from the others


def nice_scale(maximum: float, counts: Sequence[int] = (4, 5, 3, 6, 2, 1)) -> tuple[float, int]:
    """The top of the y axis and its number of steps: the lowest top with a nice step."""
    best: tuple[float, int] | None = None
    for count in counts:
        step = nice_ceiling(maximum / count) if maximum > 0 else 1.0
        if maximum >= 1:
            step = max(step, 1.0)
        if maximum >= 1 and step != int(step):
            continue  # whole-number data gets whole-number ticks
        top = step * count
        if best is None or top < best[0] - 1e-9:
            best = (top, count)
    assert best is not None
    return best


def spread_labels(
    positions: Sequence[float], *, gap: float, low: float, high: float
) -> list[float]:
    """Move label positions apart so that no two are closer than `gap`, staying in [low, high]."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [0.0] * len(positions)
    previous = low - gap
    for i in order:
        placed[i] = max(positions[i], previous + gap)
        previous = placed[i]
    overflow = previous - high
    if overflow > 0:  # pushed past the bottom: shift everything up, keeping the gaps
        for i in order:
            placed[i] = max(low, placed[i] - overflow)
    return placed


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    labels: tuple[str, ...]
    is_empty: bool

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The data as table rows (label, one value per line), for the accessible table."""
        by_line = [{p.label: p.value for p in line.points} for line in self.lines]
        return [(label, [values.get(label) for values in by_line]) for label in self.labels]


def _path(points: Sequence[Point | None]) -> str:
    parts: list[str] = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point.x:.1f},{point.y:.1f}")
        pen_down = True
    return " ".join(parts)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: int = 640,
    height: int = 220,
    x_tick_count: int = 6,
    label_room: int = 0,
) -> LineChart:
    """Lines over a shared x axis (one value per label). `label_room` reserves pixels on the
    right for end-of-line labels."""
    left, top, bottom = 44.0, 12.0, height - 26.0
    right = width - 12.0 - label_room
    values = [v for _, vs in series for v in vs if v is not None]
    top_value, y_tick_count = nice_scale(max(values, default=0.0))
    n = len(labels)

    def x_at(i: int) -> float:
        return left + (right - left) * (i / (n - 1) if n > 1 else 0.5)

    def y_at(value: float) -> float:
        return bottom - (bottom - top) * (value / top_value)

    lines = []
    for index, (name, raw) in enumerate(series):
        points: list[Point | None] = [
            Point(x_at(i), y_at(v), labels[i], v) if v is not None else None
            for i, v in enumerate(raw[:n])
        ]
        present = tuple(p for p in points if p is not None)
        lines.append(
            Line(
                name=name,
                color=PALETTE[index % len(PALETTE)],
                dash=DASHES[index % len(DASHES)],
                path=_path(points),
                points=present,
                last=present[-1] if present else None,
                total=sum(p.value for p in present),
            )
        )
    ends = [line.last.y if line.last else bottom for line in lines]
    label_ys = spread_labels(ends, gap=12.0, low=top, high=bottom)
    lines = [replace(line, label_y=y) for line, y in zip(lines, label_ys, strict=True)]
    step = max(1, math.ceil(n / x_tick_count)) if n else 1
    x_ticks = tuple(Tick(x_at(i), labels[i]) for i in range(0, n, step))
    y_ticks = tuple(
        Tick(y_at(top_value * k / y_tick_count), compact_number(top_value * k / y_tick_count))
        for k in range(y_tick_count + 1)
    )
    return LineChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        lines=tuple(lines),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        labels=tuple(labels),
        is_empty=not any(values),
    )


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    path: str
    area: str  # closed path under the line
    last: Point | None
    minimum: float
    maximum: float
    count: int
    values: tuple[float, ...] = field(default=())

    @property
    def change(self) -> float:
        return self.values[-1] - self.values[0] if len(self.values) > 1 else 0.0


def sparkline(values: Sequence[float], *, width: int = 120, height: int = 32) -> Sparkline:
    """A small trend line; a single value draws a flat line, none draws nothing."""
    pad = 3.0
    if not values:
        return Sparkline(width, height, "", "", None, 0.0, 0.0, 0)
    low, high = min(values), max(values)
    span = high - low
    n = len(values)

    def x_at(i: int) -> float:
        return pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 1.0)

    def y_at(value: float) -> float:
        if span == 0:
            return height / 2
        return height - pad - (height - 2 * pad) * (value - low) / span

    points = [Point(x_at(i), y_at(v), str(i), v) for i, v in enumerate(values)]
    if n == 1:
        points.insert(0, Point(pad, points[0].y, "0", values[0]))
    path = _path(points)
    area = f"{path} L{points[-1].x:.1f},{height:.1f} L{points[0].x:.1f},{height:.1f} Z"
    return Sparkline(width, height, path, area, points[-1], low, high, n, tuple(values))


@dataclass(frozen=True)
class BarStep:
    name: str
    count: int
    width_pct: float  # of the first step, for the bar
    rate_pct: float | None  # of the previous step; None for the first


def funnel_steps(names: Sequence[str], counts: Sequence[int]) -> tuple[BarStep, ...]:
    """Bars relative to the first step, and each step's rate from the one before it. Bars never
    vanish: a non-zero count draws at least a sliver, so '3 orders' is visible beside 90k views."""
    first = counts[0] if counts else 0
    steps = []
    for i, (name, count) in enumerate(zip(names, counts, strict=True)):
        width = 100.0 * count / first if first else 0.0
        if count and width < 1.0:
            width = 1.0
        previous = counts[i - 1] if i else None
        rate = 100.0 * count / previous if previous else None
        steps.append(BarStep(name, count, round(width, 2), None if i == 0 else rate))
    return tuple(steps)
