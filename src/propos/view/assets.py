"""The site's one stylesheet, generated from the label sets of propos.schema.

Colours are fixed per label (tests look for them in screenshots); layers and statuses are
switched off with checkboxes and CSS alone (``#t-LAYER:not(:checked) ~ main ...``): no script.
"""

from __future__ import annotations

import re

from propos import schema

ENTITY_COLOURS = {
    "PER": "#b8a9ff",
    "ORG": "#7ddfe0",
    "GPE": "#ffc86b",
    "LOC": "#ff9f80",
    "FAC": "#a9d68c",
    "MISC": "#f5a8d8",
}
ENTITY_NAMES = {
    "PER": "people",
    "ORG": "organisations",
    "GPE": "countries, cities, states",
    "LOC": "places without a government",
    "FAC": "buildings, facilities",
    "MISC": "other names",
}
SPARE_COLOURS = ("#d6c38b", "#9fc2ef", "#e0b0a0", "#b9d9c6", "#cdb7e3", "#d9d9d9")

QUOTE_COLOURS = {"direct": "#fff1c2", "indirect": "#dde8fb", "mixed": "#eadff9"}
QUOTE_INK = {"direct": "#8a6500", "indirect": "#2f5fae", "mixed": "#6a4bb3"}
SPARE_QUOTE = ("#e6e6e6", "#555555")

CATEGORY_COLOURS = {
    "Contact": "#1f6feb",
    "Movement": "#8250df",
    "Conflict": "#cf222e",
    "Justice": "#9a6700",
    "Transaction": "#1a7f37",
    "Life": "#bf3989",
    "Personnel": "#0a7ea4",
}
SPARE_CATEGORY = "#57606a"
REALIS_STYLES = {"actual": "solid", "generic": "double", "other": "dotted"}

STATUS_STYLES = {
    "ok": "outline: 1px solid #1a7f37; outline-offset: 1px;",
    "missed": "outline: 2px dashed #cf222e; outline-offset: 1px;",
    "spurious": (
        "outline: 2px dotted #bc4c00; outline-offset: 1px; background-image:"
        " repeating-linear-gradient(135deg, transparent 0 4px, rgba(188, 76, 0, .35) 4px 6px);"
    ),
}
STATUS_LABELS = {
    "ok": "correct (in gold and submission)",
    "missed": "missed (in gold only)",
    "spurious": "spurious (in submission only)",
}
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_-]")
LAYER_TOGGLES = {"ent": "Entities", "quote": "Quotations", "event": "Events"}


def css_ident(value: str) -> str:
    """A label as a CSS class fragment: letters, digits, '-' and '_' only."""
    return _NOT_IDENT.sub("_", value) or "_"


def entity_colour(entity_type: str) -> str:
    if entity_type in ENTITY_COLOURS:
        return ENTITY_COLOURS[entity_type]
    index = (
        list(schema.ENTITY_TYPES).index(entity_type) if entity_type in schema.ENTITY_TYPES else 0
    )
    return SPARE_COLOURS[index % len(SPARE_COLOURS)]


def event_category(event_type: str) -> str:
    return event_type.split(":", 1)[0]


def category_colour(category: str) -> str:
    return CATEGORY_COLOURS.get(category, SPARE_CATEGORY)


NEUTRAL = (
    "background: none !important; outline: none !important; border-color: transparent"
    " !important; text-decoration: none !important; font-weight: inherit !important;"
    " font-style: inherit !important; color: inherit !important;"
)

BASE = """\
:root { --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 "DejaVu Sans", "Segoe UI", system-ui, sans-serif; }
a { color: #0550ae; }
header.top { border-bottom: 1px solid var(--line); background: var(--soft); padding: 10px 24px; }
header.top nav { font-size: .85em; color: var(--muted); }
header.top h1 { font-size: 1.3em; margin: .2em 0 .1em; }
header.top .sub { color: var(--muted); font-size: .9em; margin: 0; }
header.top .attribution { color: var(--muted); font-size: .8em; margin: .2em 0 0; }
.url { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; overflow-wrap: anywhere; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 12px 24px 40px; }
.page { display: grid; grid-template-columns: minmax(0, 1fr) 290px; gap: 24px;
  max-width: 1200px; margin: 0 auto; padding: 12px 24px 40px; }
.page > main { grid-column: 1; grid-row: 1; min-width: 0; }
.page > aside { grid-column: 2; grid-row: 1; font-size: .85em; }
.toggle { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; }
aside section { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  margin-bottom: 10px; background: #fff; }
aside h2 { font-size: 1em; margin: 0 0 6px; }
aside ul { list-style: none; margin: 0; padding: 0; }
aside li { margin: 3px 0; }
label.tg { cursor: pointer; user-select: none; display: inline-block; margin-right: 10px; }
label.tg::before { content: "\\2610\\00a0"; font-size: 1.15em; }
.count { color: var(--muted); font-size: .9em; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0;
  font-size: .9em; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; }
article.text { font: 17px/2.05 "DejaVu Serif", Georgia, serif; padding-left: 6.5em; }
.para { position: relative; margin: 0 0 .9em; white-space: pre-line; }
.para[data-role]:not([data-role="paragraph"])::before { content: attr(data-role);
  position: absolute; left: -7.6em; width: 7em; text-align: right; top: .35em;
  font: 600 10px/1.4 "DejaVu Sans", sans-serif; letter-spacing: .06em;
  text-transform: uppercase; color: #8c959f; }
h2.para { font-size: 1.35em; line-height: 1.7; }
h3.para { font-size: 1.1em; }
p.para.r-standfirst { font-weight: 600; }
.ent { padding: .12em .3em; border-radius: .3em; color: inherit; text-decoration: none;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.ent::after { content: attr(data-type); font: 700 9px/1 "DejaVu Sans", sans-serif;
  margin-left: .4em; vertical-align: .2em; opacity: .7; }
a.ent:hover, a.trig:hover { filter: brightness(.93); }
.quote { padding: .2em 0; -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.qbadge { text-decoration: none; }
.qbadge::before { content: attr(data-label); font: 600 10px/1 "DejaVu Sans", sans-serif;
  border: 1px solid currentColor; border-radius: 8px; padding: 1px 6px; margin-right: 4px;
  background: #fff; white-space: nowrap; vertical-align: .15em; }
.cue { font-weight: 700; font-style: italic; color: #7a4d00; }
.speaker { border: 1.5px solid #57606a; border-radius: .35em; padding: .05em .1em;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.trig { color: inherit; text-decoration-line: underline; text-decoration-thickness: 2.5px;
  text-underline-offset: .28em; }
.sw { display: inline-block; min-width: 2.6em; padding: 0 .35em; border-radius: .3em;
  font-size: .85em; text-align: center; margin-right: .4em; }
.sw.line { min-width: 2.6em; background: none; text-decoration-line: underline;
  text-decoration-thickness: 2.5px; text-underline-offset: .25em; }
table.tbl { border-collapse: collapse; width: 100%; font-size: .88em; margin: 6px 0 18px; }
table.tbl th, table.tbl td { border: 1px solid var(--line); padding: 4px 7px;
  vertical-align: top; text-align: left; }
table.tbl th { background: var(--soft); }
table.tbl td.num, table.tbl th.num { text-align: right; font-variant-numeric: tabular-nums; }
h2.sec { font-size: 1.1em; margin: 26px 0 6px; border-bottom: 1px solid var(--line);
  padding-bottom: 3px; }
.ctx { font-family: "DejaVu Serif", Georgia, serif; }
.ctx mark { background: #ffe38a; padding: 0 .15em; border-radius: .2em; }
.badge { display: inline-block; font-size: .78em; border: 1px solid currentColor;
  border-radius: 8px; padding: 0 6px; white-space: nowrap; }
.versions { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(200px, 1fr);
  gap: 14px; overflow-x: auto; align-items: start; padding-bottom: 8px; }
.doccol h3 { font-size: .95em; margin: 0 0 6px; }
.doccol .src { color: var(--muted); font-size: .82em; margin: 0 0 8px; }
.version { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px;
  margin-bottom: 10px; background: #fff; }
.version.ref { border-color: #8c959f; box-shadow: 0 0 0 2px #eaeef2; }
.version .vh { font-size: .8em; color: var(--muted); margin-bottom: 4px; }
.version blockquote { margin: 6px 0; font: 15px/1.6 "DejaVu Serif", Georgia, serif; }
.version ins { background: #c8f0cf; text-decoration: none; border-radius: 2px; }
.version del { background: #ffd3cf; color: #82071e; border-radius: 2px; }
.version details { font-size: .85em; color: var(--muted); }
.mentions { margin: 0; padding-left: 1.2em; }
.mentions li { margin: 4px 0; }
.note { color: var(--muted); font-size: .9em; }
footer { color: var(--muted); font-size: .8em; border-top: 1px solid var(--line);
  padding: 8px 24px; }
"""


def stylesheet() -> str:
    rules = [BASE]
    for entity_type in schema.ENTITY_TYPES:
        rules.append(
            f".c-{css_ident(entity_type)} {{ background-color: {entity_colour(entity_type)}; }}"
        )
    for kind in schema.QUOTE_KINDS:
        fill = QUOTE_COLOURS.get(kind, SPARE_QUOTE[0])
        ink = QUOTE_INK.get(kind, SPARE_QUOTE[1])
        if kind == "mixed":
            direct, indirect = QUOTE_COLOURS["direct"], QUOTE_COLOURS["indirect"]
            fill_rule = (
                f"background-color: {fill}; background-image: repeating-linear-gradient(135deg,"
                f" {direct} 0 7px, {indirect} 7px 14px);"
            )
        else:
            fill_rule = f"background-color: {fill};"
        rules.append(f".q-{css_ident(kind)} {{ {fill_rule} }}")
        rules.append(f".k-{css_ident(kind)} {{ color: {ink}; }}")
    categories = dict.fromkeys(event_category(t) for t in schema.EVENT_TYPES)
    for category in categories:
        rules.append(
            f".ev-{css_ident(category)} {{ text-decoration-color: {category_colour(category)}; }}"
        )
        rules.append(f".evc-{css_ident(category)} {{ color: {category_colour(category)}; }}")
    for realis in schema.REALIS_VALUES:
        style = REALIS_STYLES.get(realis, "wavy")
        rules.append(f".r-{css_ident(realis)} {{ text-decoration-style: {style}; }}")
    for status, style in STATUS_STYLES.items():
        rules.append(f'main [data-status="{status}"], .st-{status} {{ {style} }}')
    # toggles: the checked state shows in the label; unchecked layers lose their styling
    for toggle in [*LAYER_TOGGLES, *STATUS_STYLES]:
        rules.append(
            f'#t-{toggle}:checked ~ aside label[for="t-{toggle}"]::before'
            ' { content: "\\2611\\00a0"; }'
        )
        rules.append(
            f'#t-{toggle}:focus-visible ~ aside label[for="t-{toggle}"]'
            " { outline: 2px solid #0969da; }"
        )
    rules.append(f"#t-ent:not(:checked) ~ main .ent {{ {NEUTRAL} padding: 0; }}")
    rules.append("#t-ent:not(:checked) ~ main .ent::after { content: none; }")
    quote_off = "#t-quote:not(:checked) ~ main"
    rules.append(
        f"{quote_off} .quote, {quote_off} .cue, {quote_off} .speaker {{ {NEUTRAL}"
        " background-image: none !important; }"
    )
    rules.append(f"{quote_off} .qbadge {{ display: none; }}")
    rules.append(f"#t-event:not(:checked) ~ main .trig {{ {NEUTRAL} }}")
    for status in STATUS_STYLES:
        rules.append(
            f'#t-{status}:not(:checked) ~ main [data-status="{status}"] {{ {NEUTRAL}'
            " background-image: none !important; }"
        )
        rules.append(
            f'#t-{status}:not(:checked) ~ main [data-status="{status}"]::after,'
            f' #t-{status}:not(:checked) ~ main [data-status="{status}"] > .qbadge'
            " { content: none; display: none; }"
        )
    return "\n".join(rules) + "\n"
