"""Short Vietnamese/English labels shared by the command line, the forms and the GUI."""

from __future__ import annotations

TIME_UNITS = {
    "same_day": ("trong ngày", "same day"),
    "working_days": ("ngày làm việc", "working days"),
    "working_hours": ("giờ làm việc", "working hours"),
    "calendar_days": ("ngày", "days"),
}


def time_label(value: int, unit: str, lang: str = "vi") -> str:
    """ "3 ngày làm việc", "trong ngày", … for a processing time."""
    vi, en = TIME_UNITS[unit]
    if unit == "same_day":
        return en if lang == "en" else vi
    return f"{value} {en if lang == 'en' else vi}"


def money(vnd: int, lang: str = "vi") -> str:
    if vnd == 0:
        return "free" if lang == "en" else "miễn phí"
    return f"{vnd:,}".replace(",", ".") + (" VND" if lang == "en" else " đ")
