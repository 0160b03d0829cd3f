"""The horizontal bar chart of every page that draws one (the overdue monitor's aging bands,
the statistics' on-time rates and result classes): geometry only, the template draws the SVG."""


def bar_chart(
    rows,
    *,
    width,
    bar,
    gap,
    label_width,
    span,
    min_width=0,
    legend=(),
    legend_at=(0, 120),
    bottom=4,
):
    """One bar per row, each a run of segments laid left to right from `label_width`.

    `rows` are (label, whole, segments), a segment (n, colour, label) being n / whole of
    `span` wide (drawn at least `min_width`). `legend` is (colour, label) pairs, placed from
    the first x of `legend_at` one step of it apart; `bottom` is the room under the bars."""
    bars = []
    for index, (label, whole, segments) in enumerate(rows):
        y, x, drawn = index * (bar + gap), label_width, []
        for n, colour, name in segments:
            w = n / whole * span
            drawn.append({"x": x, "w": max(w, min_width), "n": n, "colour": colour, "label": name})
            x += w
        total = sum(s["n"] for s in drawn)
        bars.append(
            {"y": y, "ty": y + bar - 4, "label": label, "segments": drawn}
            | {"end": x + 4, "total": total}
        )
    height = max(len(bars), 1) * (bar + gap)
    start, step = legend_at
    return {
        "width": width,
        "height": height + bottom,
        "bar": bar,
        "bars": bars,
        "legend": [
            {"x": start + i * step, "colour": colour, "label": label}
            for i, (colour, label) in enumerate(legend)
        ],
        "legend_y": height + bottom - 22,
    }
