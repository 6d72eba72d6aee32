"""Charts rendered at build time as accessible inline SVG, each with its data table."""
from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, Template

from ..inputs.editions import ENGLISH_STRINGS
from ..inputs.project import ARRIVALS
from ..core.problems import InputError, Problem


@dataclass(frozen=True)
class YearCount:
    year: int
    total: int
    male: int | None
    female: int | None
    source_url: str


#: The name a chapter places the arrivals chart by: <!-- figure: defector-arrivals -->.
ARRIVALS_FIGURE = "defector-arrivals"
#: Why the chart marks 2020 and 2021 (its caption and the data dictionary both say it).
ARRIVALS_CAVEAT = "The essay gives 63 arrivals for 2020, but 63 is the Ministry's figure for 2021; for 2020 it reports 229."
#: The years the chart marks, for the caveat above (every chart of the arrivals marks them).
FLAGGED_YEARS = frozenset({2020, 2021})
ARRIVALS_COLUMNS = ("year", "total", "male", "female", "source_url")


def load_arrivals(path: Path, display: str = ARRIVALS) -> tuple[list[YearCount], bytes]:
    """The Ministry of Unification's yearly arrivals of North Korean defectors in South Korea, one
    row a year in order, and the file's bytes (the downloads' copy is made from them, not read
    again); InputError naming the line and column of every mistake."""
    columns_fix = f"keep the header line {','.join(ARRIVALS_COLUMNS)} and one value per column on every line."
    try:
        data = path.read_bytes()
        reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
        rows = list(reader)
        header = tuple(reader.fieldnames or ())
    except FileNotFoundError:
        raise InputError([Problem(display, "is missing.", f"restore it from git: git checkout -- {display}")]) from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError([Problem(display, f"cannot be read as a CSV table ({err}).", columns_fix)]) from None
    if header != ARRIVALS_COLUMNS:
        raise InputError([Problem(display, f"has the columns {','.join(header) or '(none)'}.", columns_fix)])
    problems, counts = [], []
    for line, row in enumerate(rows, start=2):
        def fail(column: str, message: str, fix: str) -> None:
            problems.append(Problem(display, f"line {line}: {message}", fix, field=column))
        if None in row or None in row.values():
            fail("year", "does not have one value per column.", columns_fix)
            continue
        values = {}
        for column in ("year", "total", "male", "female"):
            text = row[column].strip()
            if not text and column in ("male", "female"):
                values[column] = None
            elif text.isascii() and text.isdigit():  # "²" passes isdigit(), not int()
                values[column] = int(text)
            else:
                fail(column, f"{column} {text!r} is not a whole number.",
                     "write digits only" + (" (or leave men and women empty)." if column in ("male", "female") else "."))
        if not row["source_url"].strip().startswith(("http://", "https://")):
            fail("source_url", "has no source_url.", "give the address of the page the numbers come from.")
        if len(values) == 4:
            if counts and values["year"] <= counts[-1].year:
                fail("year", f"year {values['year']} does not follow {counts[-1].year}.", "keep one line per year, in order.")
            counts.append(YearCount(values["year"], values["total"], values["male"], values["female"],
                                    row["source_url"].strip()))
    if not rows:
        problems.append(Problem(display, "has no rows.", "add one line per year under the header."))
    if problems:
        raise InputError(problems)
    return counts, data


# Geometry of the chart in SVG user units; the SVG scales to its container.
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 36
GRID_STEP = 1000

_TEMPLATE = """\
<figure class="chart" id="chart-{{ chart_id }}">
<svg viewBox="0 0 {{ width }} {{ height }}" role="img" aria-labelledby="chart-{{ chart_id }}-title chart-{{ chart_id }}-desc">
<title id="chart-{{ chart_id }}-title">{{ title }}</title>
<desc id="chart-{{ chart_id }}-desc">{{ description }}</desc>
{% for tick in ticks %}<line class="grid" x1="{{ left }}" x2="{{ width - right }}" y1="{{ tick.y }}" y2="{{ tick.y }}"/>
<text class="axis" x="{{ left - 6 }}" y="{{ tick.y + 4 }}" text-anchor="end">{{ tick.label }}</text>
{% endfor %}{% for bar in bars %}<rect class="bar{% if bar.flag %} bar-flag{% endif %}" x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.w }}" height="{{ bar.h }}"><title>{{ bar.year }}: {{ bar.label }}</title></rect>
{% if bar.axis %}<text class="axis" x="{{ bar.cx }}" y="{{ height - bottom + 16 }}" text-anchor="middle">{{ bar.year }}</text>
{% endif %}{% if bar.note %}<text class="note" x="{{ bar.cx }}" y="{{ bar.y - 5 }}" text-anchor="middle">{{ bar.note }}</text>
{% endif %}{% endfor %}</svg>
<figcaption>{{ caption }}</figcaption>
<details>
<summary>{{ _("Data table: {title}", title=title) }}</summary>
<table>
<caption>{{ title }}</caption>
<thead><tr><th scope="col">{{ _("Year") }}</th><th scope="col">{{ _("Arrivals") }}</th><th scope="col">{{ _("Men") }}</th><th scope="col">{{ _("Women") }}</th></tr></thead>
<tbody>
{% for row in rows %}<tr><th scope="row">{{ row.year }}</th><td>{{ "{:,}".format(row.total) }}</td><td>{{ "{:,}".format(row.male) if row.male is not none else _("n/a") }}</td><td>{{ "{:,}".format(row.female) if row.female is not none else _("n/a") }}</td></tr>
{% endfor %}</tbody>
</table>
</details>
</figure>
"""

@functools.cache
def _template() -> Template:
    """The chart's template, compiled once a process (each edition's chart renders it)."""
    return Environment(autoescape=True, trim_blocks=False).from_string(_TEMPLATE)


def arrivals_chart(rows: list[YearCount], caption: str, translate=ENGLISH_STRINGS,
                   flagged_years: frozenset[int] = FLAGGED_YEARS) -> str:
    """A bar chart of arrivals per year; flagged years are drawn in a second colour and labelled.
    `translate` gives the edition's words (storymap.inputs.editions.Strings)."""
    _ = translate
    peak = max(rows, key=lambda r: r.total)
    top = (peak.total // GRID_STEP + 1) * GRID_STEP
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(rows)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    bars = []
    for i, row in enumerate(rows):
        flag = row.year in flagged_years
        bars.append({
            "year": row.year, "label": _("{count} arrivals", count=f"{row.total:,}"), "flag": flag,
            "x": round(LEFT + i * slot + slot * 0.15, 1), "w": round(slot * 0.7, 1),
            "y": y_of(row.total), "h": round(y_of(0) - y_of(row.total), 1),
            "cx": round(LEFT + (i + 0.5) * slot, 1), "axis": row.year % 4 == 1,
            "note": f"{row.total:,}" if flag or row is peak else "",
        })
    ticks = [{"y": y_of(v), "label": f"{v:,}"} for v in range(0, top + 1, GRID_STEP)]
    first, last = rows[0], rows[-1]
    flagged = [r for r in rows if r.year in flagged_years]
    description = _("Bar chart of North Korean defectors arriving in South Korea each year from {first} to {last}. "
                    "Arrivals rose to a peak of {peak} in {peak_year}, {flagged}, and {last_total} in {last}.",
                    first=first.year, last=last.year, peak=f"{peak.total:,}", peak_year=peak.year,
                    last_total=f"{last.total:,}",
                    flagged=_("; ").join(_("were {count} in {year}", count=f"{r.total:,}", year=r.year)
                                         for r in flagged))
    return _template().render(
        _=_, chart_id="defector-arrivals",
        title=_("North Korean defectors arriving in South Korea, {first}–{last}", first=first.year, last=last.year),
        description=description, caption=caption, rows=rows, bars=bars, ticks=ticks,
        width=WIDTH, height=HEIGHT, left=LEFT, right=RIGHT, bottom=BOTTOM)
