#!/usr/bin/env python3
"""Drives the dispatcher's map page of a running `fanout serve` in headless Chromium.

Opens the page, signs in with a token, draws a polygon and a circle by clicking the map, checks
the counts the page shows against counts known from the test's fixture (not from the API), starts
an action, waits until the page shows every recipient reached, takes a screenshot, then stops and
ends the action. Exits 0 when every check holds, 1 otherwise, printing what it saw.

Needs Debian's chromium and chromium-driver and Python's selenium (tools/test.sh installs them).

    map_page.py --url http://127.0.0.1:PORT --token TOKEN --circle LON,LAT,RADIUS,EXPECTED \
        --polygon LON,LAT,SOUTH_M,NORTH_M,HALF_WIDTH_M,EXPECTED --screenshot-dir DIR [--docs-png PATH]
"""
import argparse
import math
import os
import shutil
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def wait_for(driver, what, predicate, timeout=30.0):
    """Polls predicate() until it is truthy or timeout seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # the element may not exist yet
            value = None
        if value:
            return value
        time.sleep(0.2)
    check(False, f"{what} (waited {timeout:.0f} s)")
    return value


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text.strip()


def offset(lat, lon, north_m, east_m):
    """The point north_m north and east_m east of (lat, lon) (spherical; metres within a few km)."""
    return (lat + north_m / 111320.0, lon + east_m / (111320.0 * math.cos(math.radians(lat))))


def click_at(driver, lat, lon):
    """Clicks the map at a geographic point (where the page's own map puts it on screen)."""
    x, y = driver.execute_script(
        "const p = window.fanout.map.latLngToContainerPoint([arguments[0], arguments[1]]); return [p.x, p.y];", lat, lon)
    element = driver.find_element(By.ID, "map")
    size = element.size
    # Selenium 4 offsets from the element's centre.
    ActionChains(driver).move_to_element_with_offset(element, int(round(x - size["width"] / 2)),
                                                     int(round(y - size["height"] / 2))).click().perform()


def count_and_check(driver, expected, what):
    driver.find_element(By.ID, "count").click()
    shown = wait_for(driver, f"{what}: the count appears",
                     lambda: text(driver, "participants") == str(expected) and text(driver, "participants"))
    check(shown == str(expected), f"{what}: the page shows {shown} participants, the fixture has {expected}")
    nl = driver.find_elements(By.CSS_SELECTOR, "#by-country tr[data-country=NL] td.n")
    check(len(nl) == 1 and nl[0].text == str(expected), f"{what}: by country NL shows {[e.text for e in nl]}")
    check(text(driver, "plan-recipients") == str(expected), f"{what}: the plan's recipients {text(driver, 'plan-recipients')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--circle", required=True, help="LON,LAT,RADIUS_M,EXPECTED")
    ap.add_argument("--polygon", required=True, help="LON,LAT,SOUTH_M,NORTH_M,HALF_WIDTH_M,EXPECTED")
    ap.add_argument("--screenshot-dir", required=True)
    ap.add_argument("--docs-png")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = ap.parse_args()
    c_lon, c_lat, c_radius, c_expected = args.circle.split(",")
    p_lon, p_lat, p_south, p_north, p_half, p_expected = args.polygon.split(",")

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_argument(f"--user-data-dir={os.path.join(args.screenshot_dir, 'chromium-profile')}")
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    try:
        driver.set_window_size(1400, 1000)
        driver.get(args.url + "/")
        check("fanout" in driver.title, f"the page's title is {driver.title!r}")
        wait_for(driver, "Leaflet and the page's script run", lambda: driver.execute_script("return !!window.fanout"))
        # Borders (3 countries) and municipalities (hundreds) are drawn as vector paths.
        paths = wait_for(driver, "the borders and municipalities are drawn",
                         lambda: (n := len(driver.find_elements(By.CSS_SELECTOR, ".leaflet-countries-pane path, .leaflet-municipalities-pane path"))) > 300 and n)
        check((paths or 0) > 300, f"{paths} vector paths in the base layers")

        # Sign in: the token goes to sessionStorage, never into the page.
        driver.find_element(By.ID, "token").send_keys(args.token)
        driver.find_element(By.ID, "token-save").click()
        wait_for(driver, "signed in", lambda: driver.find_element(By.ID, "token-state").is_displayed())
        stored = driver.execute_script("return sessionStorage.getItem('fanout.token')")
        check(stored == args.token, "the token is kept in sessionStorage")

        # A polygon, clicked vertex by vertex.
        driver.find_element(By.ID, "mode-polygon").click()
        lat, lon = float(p_lat), float(p_lon)
        driver.execute_script("window.fanout.map.setView([arguments[0], arguments[1]], 14, {animate: false})",
                              *offset(lat, lon, (float(p_north) + float(p_south)) / 2, 0))
        south, north, half = float(p_south), float(p_north), float(p_half)
        for n, e in ((south, -half), (south, half), (north, half), (north, -half)):
            click_at(driver, *offset(lat, lon, n, e))
        check(text(driver, "area-state") == "Polygon of 4 vertices.", f"area state: {text(driver, 'area-state')!r}")
        count_and_check(driver, int(p_expected), "polygon")

        # A circle: click the centre, type the radius.
        driver.find_element(By.ID, "mode-circle").click()
        lat, lon = float(c_lat), float(c_lon)
        driver.execute_script("window.fanout.map.setView([arguments[0], arguments[1]], 14, {animate: false})", lat, lon)
        click_at(driver, lat, lon)
        radius = driver.find_element(By.ID, "radius")
        radius.clear()
        radius.send_keys(str(int(float(c_radius))))
        area = driver.execute_script("return window.fanout.drawer.area()")
        centre = area["circle"]
        off_m = math.hypot((centre["lat"] - lat) * 111320, (centre["lon"] - lon) * 111320 * math.cos(math.radians(lat)))
        check(off_m < 25 and centre["radius_m"] == float(c_radius),
              f"the clicked centre is {off_m:.1f} m from the intended one, radius {centre['radius_m']}")
        count_and_check(driver, int(c_expected), "circle")

        # Start, and watch the reached count rise to every recipient.
        driver.find_element(By.ID, "text-nl").send_keys("Vermist: jongen van 8, blauwe jas")
        start = driver.find_element(By.ID, "start-action")
        check(start.is_enabled(), "Start is enabled after counting")
        start.click()
        action_id = wait_for(driver, "the action starts", lambda: text(driver, "action-id"))
        print(f"action {action_id} started", flush=True)
        seen = set()

        def reached_all():
            r = text(driver, "reached")
            seen.add(r)
            return r == c_expected

        wait_for(driver, f"the page shows {c_expected} reached", reached_all, timeout=90)
        check(text(driver, "reached") == c_expected, f"reached on the page: {text(driver, 'reached')}, expected {c_expected}")
        check(text(driver, "included") == c_expected, f"included on the page: {text(driver, 'included')}")
        print(f"reached values seen: {sorted(seen, key=lambda s: int(s) if s.isdigit() else -1)}", flush=True)
        print(f"live: {text(driver, 'live-mode')}", flush=True)
        rings = driver.find_elements(By.CSS_SELECTOR, "#rings tbody tr")
        check(len(rings) > 0, f"{len(rings)} rings listed")
        # The picture: the action's panel in view, the map zoomed out to show the municipalities round it.
        driver.execute_script("document.getElementById('action').scrollIntoView();"
                              "window.fanout.map.setZoom(13, {animate: false})")
        time.sleep(0.5)
        os.makedirs(args.screenshot_dir, exist_ok=True)
        shot = os.path.join(args.screenshot_dir, "map-page.png")
        driver.save_screenshot(shot)
        check(os.path.getsize(shot) > 20000, f"screenshot {shot} ({os.path.getsize(shot)} bytes)")
        if args.docs_png:
            shutil.copyfile(shot, args.docs_png)
            print(f"copied to {args.docs_png}", flush=True)

        # Stop, then end with a result.
        driver.find_element(By.ID, "stop").click()
        wait_for(driver, "the action shows stopped", lambda: text(driver, "action-state") == "stopped")
        driver.find_element(By.ID, "result").send_keys("Gevonden")
        driver.find_element(By.ID, "end").click()
        wait_for(driver, "the action shows ended", lambda: text(driver, "action-state") == "ended")
        messages = text(driver, "messages")
        check(f"Ended: {c_expected} end messages" in messages, f"messages: {messages!r}")

        # No personal data: the fixture's phone numbers start +316.
        check("+316" not in driver.page_source, "no phone number anywhere in the page")
        logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "/events" not in e.get("message", "")]
        check(not logs, f"no script errors in the console: {logs}")
    finally:
        driver.quit()
    print(f"{len(failures)} check(s) failed" if failures else "all checks passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
