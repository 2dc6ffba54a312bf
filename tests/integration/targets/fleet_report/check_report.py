# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Steps of the fleet_report target: set the farm up through its control API, then check the HTML report in
headless Chromium against what the miners hold (never against figures written down here).

    check_report.py setup                 inventory.yml for the farm in WORK, a hostile hostname, a refused miner
    check_report.py page REPORT [DRIFT]   the page in Chromium: tiles, rows, escaping, sorting, filter, charts, drift
    check_report.py unusable-drift REPORT TITLE   a drift.json of another version is named, not used
    check_report.py png PNG               a real PNG of a whole page
    check_report.py no-writes             the report sent no write to any miner
    check_report.py text-table LOG        playbooks/fleet_report.yml printed one line per miner it read
Environment: REPORT_WORK (the work directory: farm.json, expect.json), FARM_ROOT.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import struct
import sys
import urllib.error
import urllib.request

WORK = pathlib.Path(os.environ["REPORT_WORK"])
sys.path.insert(0, str(pathlib.Path(os.environ["FARM_ROOT"]) / "scripts"))

# A reported hostname (at most 63 printable characters, the control API's limit) and an inventory name that
# would add elements and run script if they were ever markup; the braces would show 49 if one were templated.
HOSTILE_HOSTNAME = "</script><img id=inj-name src=x onerror=alert(1)>{{ 7*7 }}"
HOSTILE_HOST = "m04</script><img id=inj-host src=x onerror=alert(1)>"
REFUSED = "m05"
INJECTED = ("inj-name", "inj-host", "inj-drift")


def fail(message: str) -> None:
    raise SystemExit("FAIL: fleet_report: " + message)


def control(path: str, body=None):
    farm = json.loads((WORK / "farm.json").read_text())
    request = urllib.request.Request(farm["control"] + path, method="POST" if body is not None else "GET",
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as err:
        answer = err.read()[:200].decode(errors="replace")
        fail("the farm's control API answered %s %s with %d: %s" % (request.method, path, err.code, answer))


def names() -> list[str]:
    farm = json.loads((WORK / "farm.json").read_text())
    return [HOSTILE_HOST if index == 4 else "m%02d" % index for index in range(1, len(farm["miners"]) + 1)]


def setup() -> None:
    farm = json.loads((WORK / "farm.json").read_text())
    hosts = dict(zip(names(), farm["miners"]))
    lines = ["all:", "  children:", "    miners:", "      vars: {ansible_connection: local, site: north}", "      hosts:"]
    for index, (name, address) in enumerate(hosts.items(), 1):
        lines.append("        %s: {ansible_host: %s, rack: r%d}" % (json.dumps(name), address, (index + 1) // 2))
    (WORK / "inventory.yml").write_text("\n".join(lines) + "\n")
    control("/miners/%s/settings" % hosts["m02"], {"hostname": HOSTILE_HOSTNAME})
    control("/miners/%s/errors" % hosts["m06"], {"errors": [{"code": 530, "time": "2026-12-01 22:10:00"}]})
    control("/miners/%s/fault" % hosts[REFUSED], {"kind": "refuse"})
    (WORK / "expect.json").write_text(json.dumps(hosts))


def expected() -> dict:
    """Per host, what its miner holds now (control API); None for the refused one."""
    hosts = json.loads((WORK / "expect.json").read_text())
    return {name: (None if name == REFUSED else control("/miners/%s" % address)) for name, address in hosts.items()}


def number(text: str) -> float | None:
    text = text.replace(",", "").strip()
    return None if text in ("", "\u2013") else float(text)


def check_tiles(driver, miners: dict) -> None:
    def tile(name):
        return driver.find_element("css selector", '[data-tile="%s"] .value' % name).text

    read = [state for state in miners.values() if state is not None]
    hashrate = sum(state["hashrate_ths"] for state in read)
    power = sum(state["power_w"] for state in read)
    # the page shows what whatsminer_facts read, rounded for display: TH/s to 0.1, kW to 0.01, J/TH to 0.1;
    # the facts round each miner's figures (power to 1 W, some firmware TH/s to 0.01), hence the margins
    checks = [
        ("miners", float(len(miners)), 0), ("unreachable", 1.0, 0),
        ("errors", float(sum(1 for state in read if state["errors"])), 0),
        ("hashrate", hashrate, 0.05 + 0.01 * len(read)),
        ("power", power / 1000, 0.005 + 0.001 * len(read)),
        ("efficiency", power / hashrate, 0.06),
    ]
    for name, want, margin in checks:
        shown = number(tile(name))
        if shown is None or abs(shown - want) > margin:
            fail("tile %s shows %r; the miners hold %.3f" % (name, tile(name), want))
    if any(state["errors"] for state in read) is False:
        fail("the farm has no miner with errors: the errors tile proves nothing")


def rows(driver) -> list:
    return driver.find_elements("css selector", "#miners tbody tr")


def cell(row, key: str) -> str:
    return row.find_element("css selector", 'td[data-key="%s"]' % key).get_attribute("textContent")


def visible_hosts(driver) -> list[str]:
    return [row.get_attribute("data-host") for row in rows(driver) if row.is_displayed()]


def check_rows(driver, miners: dict) -> None:
    shown = [row.get_attribute("data-host") for row in rows(driver)]
    if sorted(shown) != sorted(miners):
        fail("the table's rows are %r; the inventory has %r" % (shown, sorted(miners)))
    by_host = {row.get_attribute("data-host"): row for row in rows(driver)}
    for host, state in miners.items():
        row = by_host[host]
        if cell(row, "host") != host:
            fail("the row of %r shows the name %r" % (host, cell(row, "host")))
        if state is None:
            if cell(row, "state") != "unreachable":
                fail("%s (refused) is shown as %r, not unreachable" % (host, cell(row, "state")))
            reason = row.find_element("css selector", 'td[data-key="state"]').get_attribute("title")
            if "connection refused" not in reason:
                fail("%s's row does not say why it is unreachable: %r" % (host, reason))
            continue
        if cell(row, "hostname") != state["hostname"]:
            fail("%s's hostname is shown as %r; the miner holds %r" % (host, cell(row, "hostname"), state["hostname"]))
        if cell(row, "firmware") != state["firmware_version"] or cell(row, "state") != "mining":
            fail("%s's row shows %r / %r" % (host, cell(row, "firmware"), cell(row, "state")))
        if abs(number(cell(row, "hashrate_ths")) - state["hashrate_ths"]) > 0.06:
            fail("%s's TH/s is %r; the miner hashes %.3f" % (host, cell(row, "hashrate_ths"), state["hashrate_ths"]))


def check_inert(driver) -> None:
    if HOSTILE_HOSTNAME not in [cell(row, "hostname") for row in rows(driver)]:
        fail("the hostile hostname is not shown as text")
    for element_id in INJECTED:
        if driver.find_elements("id", element_id):
            fail("the page holds an element #%s injected from miner data" % element_id)
    found = driver.execute_script("return [document.images.length, document.scripts.length, "
                                  "document.querySelectorAll('b, svg:not(.chart)').length]")
    if found != [0, 2, 0]:
        fail("the page has %d img, %d script, %d b or foreign svg elements: data became markup" % tuple(found))


def check_sorting(driver) -> None:
    def click(key):
        driver.find_element("css selector", 'th[data-key="%s"] button' % key).click()
        return driver.find_element("css selector", 'th[data-key="%s"]' % key).get_attribute("aria-sort")

    def column(key):
        return [number(cell(row, key)) for row in rows(driver)]

    for direction in ("ascending", "descending"):
        if click("hashrate_ths") != direction:
            fail("the TH/s header did not sort %s" % direction)
        values = column("hashrate_ths")
        present = [value for value in values if value is not None]
        if values[len(present):] != [None] or present != sorted(present, reverse=direction == "descending"):
            fail("TH/s sorted %s gives %r (numbers in order, the unreachable miner last)" % (direction, values))
    natural = sorted((row.get_attribute("data-host") for row in rows(driver)),
                     key=lambda name: [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name)])
    for direction, want in (("ascending", natural), ("descending", natural[::-1])):
        if click("host") != direction or [row.get_attribute("data-host") for row in rows(driver)] != want:
            fail("sorting by miner %s gives %r" % (direction, [row.get_attribute("data-host") for row in rows(driver)]))


def retype(box, text: str) -> None:
    """Select all and type over it, as a user would: each key is an input event (clear() is none)."""
    from selenium.webdriver.common.keys import Keys

    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text or Keys.DELETE)


def check_filter(driver, miners: dict) -> None:
    box = driver.find_element("id", "filter")
    models = {host: state["variant"] for host, state in miners.items() if state is not None}
    model = sorted(variant for variant in set(models.values()) if "_" not in variant)[0]  # as the facts name it
    retype(box, model.lower())
    want = sorted(host for host, variant in models.items() if variant == model)
    if sorted(visible_hosts(driver)) != want:
        fail("filter %r shows %r, not %r" % (model, visible_hosts(driver), want))
    if driver.find_element("id", "shown").text != "%d of %d miners" % (len(want), len(miners)):
        fail("the filter count says %r" % driver.find_element("id", "shown").text)
    retype(box, "unreachable")
    if visible_hosts(driver) != [REFUSED]:
        fail("filter 'unreachable' shows %r" % visible_hosts(driver))
    retype(box, "")
    if len(visible_hosts(driver)) != len(miners):
        fail("a cleared filter shows %d of %d rows" % (len(visible_hosts(driver)), len(miners)))


def check_charts(driver, miners: dict) -> None:
    read = sorted(host for host, state in miners.items() if state is not None)
    for metric in ("hashrate", "temperature"):
        bars = driver.find_elements("css selector", 'svg.chart[data-metric="%s"] rect.bar' % metric)
        hosts = sorted(rect.get_attribute("data-host") for rect in bars)
        if hosts != read:
            fail("the %s charts have bars for %r, not one per miner read %r" % (metric, hosts, read))
        if any(float(rect.get_attribute("height")) <= 0 for rect in bars):
            fail("a %s bar of a miner that reports it has no height" % metric)
    cards = driver.find_elements("css selector", ".card[data-model]")
    if len(cards) != len({state["variant"] for state in miners.values() if state is not None}):
        fail("%d model cards for %d models" % (len(cards), len({s["variant"] for s in miners.values() if s})))


def check_drift(driver, miners: dict, drift: dict | None) -> None:
    tiles = driver.find_elements("css selector", '[data-tile="drift"] .value')
    headers = driver.find_elements("css selector", 'th[data-key="drift"]')
    if drift is None:
        if tiles or headers:
            fail("without a drift report the page still shows drift")
        return
    if not tiles or tiles[0].text != str(drift["summary"]["drifted"]):
        fail("the drift tile shows %r; drift.json says %d drifted" % (tiles and tiles[0].text, drift["summary"]["drifted"]))
    by_host = {row.get_attribute("data-host"): row for row in rows(driver)}
    for host in miners:
        record = drift["miners"].get(host)
        text = cell(by_host[host], "drift")
        want = record["status"] if record else "not checked"
        if not text.startswith(want):
            fail("%s's drift is shown as %r; drift.json says %r" % (host, text, want))
        if record and record["drift"] and "(%d)" % len(record["drift"]) not in text:
            fail("%s's drift does not count its %d settings: %r" % (host, len(record["drift"]), text))
    title = by_host["m02"].find_element("css selector", 'td[data-key="drift"]').get_attribute("title")
    if "<svg id=inj-drift" not in title or "pools[1].url" not in title:
        fail("m02's drift detail is %r" % title)


def page(report: str, drift_file: str | None) -> None:
    from report_screenshot import open_browser

    miners = expected()
    drift = json.loads(pathlib.Path(drift_file).read_text()) if drift_file else None
    driver = open_browser(1600, 1000)
    try:
        driver.get(pathlib.Path(report).resolve().as_uri())
        errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
        if errors:
            fail("the page logged errors: %r" % errors)
        check_tiles(driver, miners)
        check_rows(driver, miners)
        check_inert(driver)
        check_charts(driver, miners)
        check_drift(driver, miners, drift)
        check_sorting(driver)
        check_filter(driver, miners)
    finally:
        driver.quit()


def unusable_drift(report: str, title: str) -> None:
    """A drift report of another version: named on the drift tile, not used; the title is text too."""
    from report_screenshot import open_browser

    driver = open_browser()
    try:
        driver.get(pathlib.Path(report).resolve().as_uri())
        tile = driver.find_element("css selector", '[data-tile="drift"]')
        value = tile.find_element("css selector", ".value").text
        if value != "?" or "version is 2; this report reads version 1" not in tile.text:
            fail("an unusable drift report shows the tile %r" % tile.text)
        drift = {cell(row, "drift") for row in rows(driver)}
        if drift != {"not checked"}:
            fail("an unusable drift report still gave miners a drift status: %r" % drift)
        heading = driver.find_element("css selector", "h1").text
        if heading != title or not driver.title.startswith(title) or driver.find_elements("css selector", "h1 b"):
            fail("the title %r is shown as %r (page title %r)" % (title, heading, driver.title))
    finally:
        driver.quit()


def png(path: str) -> None:
    data = pathlib.Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        fail("%s is not a PNG" % path)
    width, height = struct.unpack(">II", data[16:24])
    if width < 1000 or height < 900:
        fail("%s is %dx%d: not the whole page" % (path, width, height))


def no_writes() -> None:
    for name, address in json.loads((WORK / "expect.json").read_text()).items():
        writes = control("/miners/%s/writes" % address)
        if writes:
            fail("%s received writes from a report: %r" % (name, [w["command"] for w in writes]))


def text_table(log: str) -> None:
    text = pathlib.Path(log).read_text()
    miners = {name: state for name, state in expected().items() if state is not None}
    for name, state in miners.items():
        lines = [line for line in text.splitlines() if '"%s ' % state["address"] in line]
        fields = lines[0].strip(' ",').split() if len(lines) == 1 else []
        if fields[1:3] != [state["variant"].replace("_", ""), state["firmware_version"]] \
                or abs(float(fields[3]) - state["hashrate_ths"]) > 0.06:
            fail("fleet_report.yml printed %r for %s (%s), holding %s %s %.3f TH/s" % (
                lines, name, state["address"], state["variant"], state["firmware_version"], state["hashrate_ths"]))
    if "%d miners" % len(miners) not in text:
        fail("fleet_report.yml printed no total line")


if __name__ == "__main__":
    step, args = sys.argv[1], sys.argv[2:]
    steps = {
        "setup": setup,
        "page": lambda: page(args[0], args[1] if len(args) > 1 else None),
        "unusable-drift": lambda: unusable_drift(args[0], args[1]),
        "png": lambda: png(args[0]),
        "no-writes": no_writes,
        "text-table": lambda: text_table(args[0]),
    }
    steps[step]()
    print("fleet_report: %s ok" % step)
