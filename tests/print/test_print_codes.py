"""The QR code decodes to the centre's look-up address and the Code 128 barcode to the dossier code
(rasterised with PDFium, decoded with zxing-cpp)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from app.print import forms, samples
from app.print.codes import lookup_address, qr_matrix
from app.print.model import Agency

Decoded = Callable[..., list[dict[str, list[str]]]]


def test_lookup_address() -> None:
    d = samples.receipt()
    assert lookup_address(d) == "https://tracuu.motcua.example.vn/ho-so?ma=000.07.21.H24-250705-0012&k=K7Q2"
    with_query = dataclasses.replace(
        d, agency=dataclasses.replace(d.agency, lookup_url="https://x.vn/tc?lang=vi")
    )
    assert lookup_address(with_query) == "https://x.vn/tc?lang=vi&ma=000.07.21.H24-250705-0012&k=K7Q2"
    no_secret = dataclasses.replace(d, lookup_secret="")
    assert lookup_address(no_secret).endswith("?ma=000.07.21.H24-250705-0012")
    odd = dataclasses.replace(d, lookup_secret="A B&C")
    assert lookup_address(odd).endswith("&k=A+B%26C")


def test_no_lookup_url_means_no_qr(barcodes_of: Decoded, text_of: Callable[[bytes], str]) -> None:
    d = samples.receipt()
    bare = dataclasses.replace(d, agency=dataclasses.replace(d.agency, lookup_url=""))
    assert lookup_address(bare) == ""
    pdf = forms.receipt_a4(bare)
    found = barcodes_of(pdf, 200)[0]
    assert "QRCode" not in found
    assert found["Code128"] == [d.code]
    assert "Tra cứu tình trạng hồ sơ" not in text_of(pdf)


def test_qr_matrix_is_deterministic_and_square() -> None:
    m = qr_matrix("https://tracuu.motcua.example.vn/ho-so?ma=000.07.21.H24-250705-0012&k=K7Q2")
    assert m.size >= 21 and (m.size - 17) % 4 == 0
    assert len(m.runs) == m.size
    assert m == qr_matrix("https://tracuu.motcua.example.vn/ho-so?ma=000.07.21.H24-250705-0012&k=K7Q2")


@pytest.mark.parametrize("copy", [0, 1])
def test_a4_receipt_codes_decode(barcodes_of: Decoded, copy: int) -> None:
    d = samples.receipt()
    found = barcodes_of(forms.receipt_a4(d))[copy]
    assert found.get("QRCode") == [lookup_address(d)]
    assert found.get("Code128") == [d.code]


def test_80mm_slip_codes_decode(barcodes_of: Decoded) -> None:
    d = samples.receipt()
    found = barcodes_of(forms.receipt_80mm(d))[0]
    assert found.get("QRCode") == [lookup_address(d)]
    assert found.get("Code128") == [d.code]


def test_lookup_url_with_vietnamese_path_round_trips(barcodes_of: Decoded) -> None:
    agency = Agency(
        name="Trung tâm",
        parent_name="UBND xã Đông Hưng",
        place_name="Đông Hưng",
        lookup_url="https://dvc.example.vn/tra-cứu",
    )
    d = dataclasses.replace(samples.receipt_short(), agency=agency)
    found = barcodes_of(forms.receipt_a4(d), 200)[0]
    assert found.get("QRCode") == [lookup_address(d)]


@pytest.mark.parametrize(
    ("form", "factory"),
    [("control", samples.control_slip), ("supplement", samples.supplement)],
)
def test_other_forms_barcode_decodes(barcodes_of: Decoded, form: str, factory: Callable[[], object]) -> None:
    data = factory()
    assert barcodes_of(forms.render(form, data), 200)[0].get("Code128") == [data.code]  # type: ignore[attr-defined]
