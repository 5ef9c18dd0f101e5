"""Items published per month as an inline SVG bar chart: drawn on the server, no scripts."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

MAX_MONTHS = 36  # the most recent months shown; older ones would make bars too thin
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 720, 180, 16, 28, 32
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_range(counts: Mapping[tuple[int, int], int]) -> list[tuple[int, int]]:
    """Every month from the first to the last with items, the latest MAX_MONTHS of them."""
    if not counts:
        return []
    (year, month), last = min(counts), max(counts)
    months = []
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_MONTHS:]


def _bar(index: int, slot: float, count: int, peak: int, ym: tuple[int, int]) -> Markup:
    plot = HEIGHT - TOP - BOTTOM
    height = plot * count / peak if peak else 0
    x, y = LEFT + index * slot + slot * 0.1, TOP + plot - height
    label = f"{MONTHS[ym[1] - 1]} {ym[0]}: {count} item{'s' if count != 1 else ''}"
    return Markup('<rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}">'
                  "<title>{}</title></rect>").format(x, y, slot * 0.8, height, label)


def _label(index: int, slot: float, ym: tuple[int, int], first: bool) -> Markup:
    if not first and ym[1] != 1:
        return Markup("")
    x = LEFT + index * slot + slot / 2
    return Markup('<text x="{:.1f}" y="{}" text-anchor="middle">{} {}</text>').format(
        x, HEIGHT - 8, MONTHS[ym[1] - 1], ym[0])


def monthly_chart(counts: Mapping[tuple[int, int], int]) -> Markup:
    """An <svg> of the counts, or a sentence when there is nothing dated to draw."""
    months = month_range(counts)
    if not months:
        return Markup('<p class="muted">No dated items to chart.</p>')
    peak = max(counts.get(m, 0) for m in months)
    slot = (WIDTH - LEFT) / len(months)
    parts = [_bar(i, slot, counts.get(m, 0), peak, m) for i, m in enumerate(months)]
    parts += [_label(i, slot, m, i == 0) for i, m in enumerate(months)]
    first, last = months[0], months[-1]
    summary = (f"Items published per month, {MONTHS[first[1] - 1]} {first[0]} to "
               f"{MONTHS[last[1] - 1]} {last[0]}; at most {peak} in a month")
    return Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{s}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{s}</title>'
        '<text x="2" y="{top}" class="peak">{peak}</text>'
        '<line x1="{left}" y1="{base}" x2="{w}" y2="{base}" class="axis"/>{body}</svg>'
    ).format(w=WIDTH, h=HEIGHT, s=summary, top=TOP + 4, peak=peak, left=LEFT,
             base=HEIGHT - BOTTOM, body=Markup("").join(parts))
