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
    keys, rows = legend_keys(legend, legend_at, width, top=height + bottom - 22)
    return {
        "width": width,
        "height": height + bottom + rows * LEGEND_LINE,
        "bar": bar,
        "bars": bars,
        "legend": keys,
    }


LEGEND_LINE = 18  # px between two lines of legend keys


def text_width(text, size=13):
    """About how wide `text` is drawn at `size` px: a Chinese character a full square, a
    Latin letter or digit about half of one (13px is the charts' text, banli.css)."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.55 for ch in str(text))


def legend_keys(legend, legend_at, width, top):
    """The legend's keys left to right from the first x of `legend_at`, each at least its
    step wide and wide enough for its label (English labels are longer than Chinese),
    starting a new line when the next would run past `width`. Returns (keys, extra lines)."""
    start, step = legend_at
    keys, x, line = [], start, 0
    for colour, label in legend:
        need = max(step, round(16 + text_width(label) + 12))
        if keys and x + need > width:
            x, line = start, line + 1
        y = top + line * LEGEND_LINE
        keys.append({"x": x, "y": y, "ty": y + 11, "tx": x + 16, "colour": colour, "label": label})
        x += need
    return keys, line
