"""Test pages made here, never downloaded: Vietnamese text rendered with the bundled Be Vietnam Pro font
on an A4 page at 300 dpi, then skewed and made noisy as a scanner or a phone would (tests, benchmarks,
the demo)."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.paths import resources_dir

A4_300 = (2480, 3508)

#: Administrative wording of the kind a commune receives (made up for the test; no real person).
PARAGRAPHS = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "Kính gửi: Ủy ban nhân dân phường Bắc Giang, tỉnh Bắc Ninh.",
    "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Hương. Nơi cư trú: số 12 đường Hoàng Văn Thụ, "
    "phường Bắc Giang. Giấy tờ tùy thân: căn cước số 024190001234 cấp ngày 15 tháng 3 năm 2022.",
    "Quan hệ với người được khai sinh: mẹ. Đề nghị cơ quan đăng ký khai sinh cho người dưới đây: "
    "họ, chữ đệm, tên: Trần Minh Khôi; ngày, tháng, năm sinh: mười hai tháng năm năm hai nghìn "
    "hai mươi sáu; giới tính: nam; dân tộc: Kinh; quốc tịch: Việt Nam.",
    "Nơi sinh: Bệnh viện Sản Nhi tỉnh Bắc Ninh. Quê quán: xã Yên Dũng, tỉnh Bắc Ninh. Họ, chữ đệm, "
    "tên người cha: Trần Văn Đức; năm sinh 1988; dân tộc Kinh; quốc tịch Việt Nam; nơi cư trú: "
    "phường Bắc Giang, tỉnh Bắc Ninh.",
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận "
    "nhất trí của các bên liên quan theo quy định pháp luật. Tôi chịu hoàn toàn trách nhiệm trước "
    "pháp luật về nội dung cam đoan của mình.",
    "Làm tại: phường Bắc Giang, ngày 05 tháng 12 năm 2026. Người yêu cầu ký, ghi rõ họ, chữ đệm, tên.",
)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(resources_dir() / "fonts" / "BeVietnamPro-Regular.ttf"), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def text_page(
    paragraphs: tuple[str, ...] = PARAGRAPHS, *, font_pt: float = 12.0, repeat: int = 2
) -> Image.Image:
    """A clean A4 page at 300 dpi (grey, white paper, black text), like a typed form."""
    img = Image.new("L", A4_300, 255)
    draw = ImageDraw.Draw(img)
    font = _font(round(font_pt * 300 / 72))
    margin = 236  # 2 cm
    y = margin
    line_h = round(font_pt * 300 / 72 * 1.5)
    for _ in range(repeat):
        for para in paragraphs:
            for line in _wrap(draw, para, font, A4_300[0] - 2 * margin):
                if y + line_h > A4_300[1] - margin:
                    return img
                draw.text((margin, y), line, font=font, fill=0)
                y += line_h
            y += line_h // 2
    return img


def photo_page() -> Image.Image:
    """A page that is mostly a photograph (smooth grey gradients and shapes): must stay grey."""
    w, h = A4_300
    yy, xx = np.mgrid[0:h, 0:w]
    a = 128 + 60 * np.sin(xx / 180.0) * np.cos(yy / 240.0)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def scanned(
    img: Image.Image,
    *,
    skew_deg: float = 1.5,
    noise: float = 12.0,
    speckles: int = 4000,
    seed: int = 1,
    background: int = 236,
) -> Image.Image:
    """``img`` as a scanner sees it: rotated a little, paper not quite white, sensor noise and dust."""
    rng = np.random.default_rng(seed)
    rot = img.rotate(skew_deg, resample=Image.Resampling.BICUBIC, fillcolor=255)
    a = np.asarray(rot, dtype=np.float32)
    a = background * (a / 255.0) + 18 * (1 - a / 255.0)  # grey paper, not-quite-black toner
    a += rng.normal(0.0, noise, a.shape)
    r = random.Random(seed)
    for _ in range(speckles):
        a[r.randrange(a.shape[0]), r.randrange(a.shape[1])] = 0 if r.random() < 0.5 else 255
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    out.info["dpi"] = (300, 300)
    return out
