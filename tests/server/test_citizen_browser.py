"""The citizen pages in a real browser: Debian's Chromium driven by Selenium at a phone's width (360 px).

The look-up page is opened from the QR code decoded from a receipt a real desk printed; a dossier is
rated by clicking; a centre's catalogue is searched without diacritics. Needs ``chromium`` and
``chromium-driver`` (the set-up installs them, Makefile APT_PACKAGES): skipped without them, except when
``CI`` is set. Screenshots go to the test's folder, or to docs/screenshots/ (citizen-*.png) when
``MOTCUA_WRITE_SCREENSHOTS=1``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_citizen_desk
from sqlalchemy import update
from srvkit import A, World
from test_citizen_desk import ACTOR, qr_of, received_and_printed, sync

from app.models.db import Store
from app.services import dossiers as svc
from server import admin
from server.models import Centre

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PHONE = (360, 780)


#: The desk fixture of the end-to-end tests (a real desk store enrolled with the server).
desk = test_citizen_desk.desk


def _skip_or_fail(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {why}")
    pytest.skip(why)


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None or DRIVER is None:
        _skip_or_fail(
            "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _skip_or_fail("selenium is not installed (the test extra)")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=vi-VN"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={PHONE[0]},{PHONE[1]}")
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": PHONE[0], "pixelRatio": 2.0}}
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _shots(tmp_path: Path) -> Path:
    if os.environ.get("MOTCUA_WRITE_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return tmp_path


def _no_sideways_scroll(driver: object) -> None:
    width = driver.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= PHONE[0], f"the page is {width} px wide at a {PHONE[0]} px phone width"


def _full_page(driver: object, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
    driver.set_window_size(PHONE[0], min(max(height + 140, PHONE[1]), 2200))  # type: ignore[attr-defined]
    driver.execute_script("window.scrollTo(0, 0)")  # type: ignore[attr-defined]
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    driver.set_window_size(*PHONE)  # type: ignore[attr-defined]


def test_receipt_qr_opens_the_page_and_the_citizen_rates(
    browser: object,
    desk: Store,
    world: World,
    tmp_path: Path,  # noqa: F811
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    code, _secret, pdf = received_and_printed(desk, world)
    (url,) = qr_of(pdf)
    driver.get(url)  # type: ignore[attr-defined]
    body = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
    assert code in body and "ĐÃ TIẾP NHẬN" in body.upper() and "Đ. V. Hùng" in body
    _no_sideways_scroll(driver)
    _full_page(driver, _shots(tmp_path) / "citizen-lookup.png")

    svc.perform(desk, ACTOR, code, "result_ready")
    svc.perform(desk, ACTOR, code, "hand_back")
    sync(desk)
    driver.get(url)  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "label[for=diem5]").click()  # type: ignore[attr-defined]
    driver.find_element(By.ID, "y_kien").send_keys("Cán bộ hướng dẫn tận tình")  # type: ignore[attr-defined]
    _no_sideways_scroll(driver)
    _full_page(driver, _shots(tmp_path) / "citizen-rating.png")
    driver.find_element(By.CSS_SELECTOR, "form[action='/danh-gia'] button").click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 20).until(lambda d: "Cảm ơn" in d.title)
    assert "Đánh giá của ông/bà đã được ghi nhận" in driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
    driver.get(url)  # type: ignore[attr-defined]
    assert "Ông/bà đã đánh giá: Rất hài lòng" in driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]


def _publish_demo_contacts(world: World) -> None:
    """The demo centre's address, hotline and opening hours, as ``add-demo`` publishes them."""
    data = json.loads(admin.demo_file().read_text(encoding="utf-8"))
    demo = next(c for c in data["centres"] if c["agency_eid"] == A)
    with world.db.write() as s:
        s.execute(
            update(Centre)
            .where(Centre.eid == A)
            .values(address=demo["address"], hotline=demo["hotline"], opening_hours=admin.DEMO_OPENING_HOURS)
        )


def test_catalogue_search_without_diacritics(browser: object, world: World, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    admin.import_catalogue(world.db)
    _publish_demo_contacts(world)
    driver.get(f"{world.live.url}/trung-tam")  # type: ignore[attr-defined]
    driver.find_element(By.PARTIAL_LINK_TEXT, "Bắc Giang").click()  # type: ignore[attr-defined]
    box = driver.find_element(By.ID, "q")  # type: ignore[attr-defined]
    box.send_keys("dang ky khai sinh")
    box.submit()
    WebDriverWait(driver, 20).until(lambda d: "?q=" in d.current_url)
    body = driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
    assert "0204 3 854 000" in body and "07:00–11:30" in body
    assert "Thủ tục đăng ký khai sinh" in body
    assert "Thủ tục đăng ký kết hôn" not in body
    _no_sideways_scroll(driver)
    _full_page(driver, _shots(tmp_path) / "citizen-centre.png")
    assert driver.current_url.startswith(f"{world.live.url}/trung-tam/{A}?q=")  # type: ignore[attr-defined]
