"""Accessibility of the citizen pages without a browser: WCAG 2.x contrast of the stylesheet's colour
pairs, and a label for every form control of every template."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from server.web.routes import HERE, STATIC_DIR

CSS = (STATIC_DIR / "citizen.css").read_text(encoding="utf-8")
VARIABLES = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", CSS))


def luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour ``#rrggbb``."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    assert contrast("#777777", "#ffffff") < 4.5


TEXT_ON = {
    "paper": ["ink", "muted", "accent", "link", "error"],
    "card": ["ink", "muted", "accent", "link", "error"],
    "notice": ["ink", "muted", "link", "error"],
    "button": ["button-ink"],
}


@pytest.mark.parametrize(
    ("fg", "bg"), [(fg, bg) for bg, fgs in TEXT_ON.items() for fg in fgs], ids=lambda v: str(v)
)
def test_text_colours_meet_wcag_aa(fg: str, bg: str) -> None:
    ratio = contrast(VARIABLES[fg], VARIABLES[bg])
    assert ratio >= 4.5, f"--{fg} on --{bg}: {ratio:.2f}:1 (WCAG AA needs 4.5:1 for text)"


@pytest.mark.parametrize("bg", ["paper", "card", "notice"])
def test_control_borders_meet_the_non_text_contrast(bg: str) -> None:
    assert contrast(VARIABLES["line"], VARIABLES[bg]) >= 3.0  # WCAG 2.1 SC 1.4.11


def test_every_colour_of_the_stylesheet_is_a_checked_variable() -> None:
    used = set(re.findall(r"#[0-9a-fA-F]{3,8}\b", CSS))
    assert used == set(VARIABLES.values())
    checked = set(TEXT_ON) | {c for fgs in TEXT_ON.values() for c in fgs} | {"line"}
    assert checked == set(VARIABLES)


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "textarea", "select") and a.get("type") not in ("hidden", "submit"):
            self.ids.append(a.get("id") or f"<{tag} name={a.get('name')} without id>")
        if tag == "label" and a.get("for"):
            self.labelled.add(str(a["for"]).replace("{{ score }}", "*"))


@pytest.mark.parametrize("template", sorted(p.name for p in (HERE / "templates").glob("*.html")))
def test_every_control_has_a_label(template: str) -> None:
    parser = _Controls()
    parser.feed((HERE / "templates" / template).read_text(encoding="utf-8"))
    for control in parser.ids:
        assert control.replace("{{ score }}", "*") in parser.labelled, f"{template}: {control} has no label"


def test_pages_declare_vietnamese_and_a_phone_viewport() -> None:
    base = (HERE / "templates" / "base.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in base
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in base
    assert "<script" not in "".join(p.read_text(encoding="utf-8") for p in Path(HERE / "templates").glob("*"))


def test_the_label_check_sees_the_controls() -> None:
    parser = _Controls()
    parser.feed((HERE / "templates" / "tablet.html").read_text(encoding="utf-8"))
    assert parser.ids == ["ma", "k", "diem{{ score }}", "y_kien"]
