# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a fleet report (playbooks/report.yml's HTML page) to a PNG with headless Chromium.

    report_screenshot.py REPORT.html [OUT.png] [--width 1600]

OUT defaults to the report's name with .png, beside it. The whole page is captured, not only the first screen.
Needs selenium (tests/requirements.txt) and Debian's chromium and chromium-driver (or CHROMIUM and CHROMEDRIVER
naming the binaries): they are used as they are, never downloaded. The integration test imports open_browser().
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def open_browser(width: int = 1600, height: int = 1000):
    """A headless Chromium driven by the system chromedriver; the caller quits it."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise SystemExit("report_screenshot: selenium is not installed for %s: pip install selenium "
                         "(it is in tests/requirements.txt)" % sys.executable) from None
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise SystemExit("report_screenshot: %s not found: apt-get install -y %s (as root)" % (path, package))
    options = Options()
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the page's console, for tests
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=%d,%d" % (width, height)):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def screenshot(report: pathlib.Path, out: pathlib.Path, width: int) -> tuple[int, int]:
    """Writes the whole page of ``report`` to ``out``; returns the PNG's width and height."""
    driver = open_browser(width)
    try:
        driver.get(report.resolve().as_uri())
        height = min(int(driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")), 16000)
        # the window size includes what is not the page: grow the window until the viewport is the page's height
        driver.set_window_size(width, height)
        driver.set_window_size(width, 2 * height - int(driver.execute_script("return window.innerHeight")))
        partial = out.with_name("." + out.name)  # then renamed: a failed run leaves no half PNG
        if not driver.save_screenshot(str(partial)):
            raise SystemExit("report_screenshot: Chromium did not take the screenshot of %s" % report)
        os.replace(partial, out)
        return width, height
    finally:
        driver.quit()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Render a fleet report HTML file to a PNG with headless Chromium.")
    parser.add_argument("report", type=pathlib.Path, help="the report's HTML file")
    parser.add_argument("out", type=pathlib.Path, nargs="?", help="the PNG to write (default: beside the report)")
    parser.add_argument("--width", type=int, default=1600, help="page width in CSS pixels (default 1600)")
    args = parser.parse_args(argv)
    if not args.report.is_file():
        parser.error("%s is not a file" % args.report)
    out = args.out or args.report.with_suffix(".png")
    if out.parent and not out.parent.is_dir():
        parser.error("the directory of %s does not exist" % out)
    screenshot(args.report, out, args.width)
    print("report_screenshot: %s -> %s" % (args.report, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
