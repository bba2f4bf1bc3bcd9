"""The pure rules of digitising (app.domain.digitise)."""

from __future__ import annotations

import pytest

from app.domain import digitise as dg
from app.domain.errors import DomainError


def test_page_operations_keep_order_and_count_images() -> None:
    s = dg.PageSet().add(["a", "b", "c"])
    assert [p.image for p in s.move(2, -1).pages] == ["a", "c", "b"]  # Ctrl+Up on the last page
    assert [p.image for s2 in [s.move(0, -1)] for p in s2.pages] == ["a", "b", "c"]  # clamped at the top
    assert [p.image for p in s.move(0, 5).pages] == ["b", "c", "a"]
    assert [p.image for p in s.delete(1).pages] == ["a", "c"]
    assert s.rotate(1).rotate(1, 3).pages[1].rotation == 0
    assert s.rotate(0, -1).pages[0].rotation == 3
    noted = s.add_note_image(1, "b+note")
    assert (len(noted), noted.image_count) == (3, 4)  # TT 01/2023 Art. 8.2: two images for that page
    rescanned = noted.rescan(1, "b2")
    assert rescanned.pages[1] == dg.Page("b2") and rescanned.image_count == 3
    with pytest.raises(DomainError) as err:
        s.delete(3)
    assert err.value.problems[0].code == "digitise.page_index"
    assert "trang 4" in err.value.problems[0].vi


def test_declared_page_count_mismatch_is_refused_in_both_languages() -> None:
    dg.check_page_count("Tờ khai", 2, 2)
    dg.check_page_count("Tờ khai", None, 1)
    with pytest.raises(DomainError) as err:
        dg.check_page_count("Tờ khai", 3, 2)
    p = err.value.problems[0]
    assert p.code == "digitise.page_mismatch"
    assert "khai báo 3 trang nhưng đã quét 2 trang" in p.vi and "declared with 3 pages but 2" in p.en
    with pytest.raises(DomainError) as err:
        dg.check_page_count("Tờ khai", None, 0)
    assert err.value.problems[0].code == "digitise.no_pages"
    for bad in (0, dg.MAX_PAGES + 1):
        with pytest.raises(DomainError):
            dg.validate_declared(bad)
    with pytest.raises(DomainError):
        dg.PageSet().add(["x"] * (dg.MAX_PAGES + 1))


def test_exemptions_are_the_four_of_tt03_art_5_2() -> None:
    assert {e.value for e in dg.Exemption} == {"electronic", "shown_only", "verification_result", "secret"}
    for e in dg.Exemption:
        assert "Điều 5.2" in e.vi and "Art. 5.2" in e.en
    assert dg.parse_exemption(" Shown_Only ") is dg.Exemption.SHOWN_ONLY
    with pytest.raises(DomainError) as err:
        dg.parse_exemption("lazy")
    assert "shown_only" in err.value.problems[0].vi


def test_paper_number_is_a_checklist_row() -> None:
    assert dg.check_paper_number(1, 3) == 0
    for bad in (0, 4):
        with pytest.raises(DomainError):
            dg.check_paper_number(bad, 3)
