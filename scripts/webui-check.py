#!/usr/bin/env python3
"""Checks the manager's web page in headless Chromium, driven through chromedriver
(W3C WebDriver over HTTP on 127.0.0.1, stdlib only).

usage: scripts/webui-check.py http://127.0.0.1:50000/ui/ --screenshot /tmp/webui.png [--token-file FILE]

On a manager with no nodes: the page asks for the token (with --token-file),
refuses a wrong one and takes the right one; the manager's error for removing a replica is shown;
"Add node" (2 nodes) shows the job's stages and both nodes reach RUNNING with a
replication lag; a user is added and listed; a dump is loaded; the replica is
promoted with its Promote button and the page shows the switchover; a screenshot is
saved; both nodes are removed with their row buttons. Needs Debian's chromium
and chromium-driver. Exit 0 when everything held, 1 with the reason otherwise.
"""
import argparse
import base64
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class CheckFailed(Exception):
    """What the page did not do."""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what, condition, timeout=60.0):
    """The first truthy value of condition(), polled every 0.25 s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise CheckFailed(f"{what}: not seen within {timeout:.0f} s")


class Browser:
    """One chromedriver process and one headless Chromium session."""

    def __init__(self, chromium, chromedriver, profile):
        self.port = free_port()
        self.driver = subprocess.Popen([chromedriver, f"--port={self.port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.session = ""
        self.chromium, self.profile = chromium, profile

    def open_session(self):
        wait_for("chromedriver ready", self.ready, timeout=20)
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-proxy-server",
                "--window-size=1280,1000", f"--user-data-dir={self.profile}"]
        capabilities = {"browserName": "chrome", "goog:chromeOptions": {"binary": self.chromium, "args": args},
                        "goog:loggingPrefs": {"browser": "ALL"}}
        self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]

    def ready(self):
        try:
            with DIRECT.open(f"http://127.0.0.1:{self.port}/status", timeout=2) as answer:
                return json.load(answer)["value"]["ready"]
        except OSError:
            return False

    def call(self, method, path, body=None):
        url = f"http://127.0.0.1:{self.port}" + (f"/session/{self.session}" if self.session else "") + path
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with DIRECT.open(request, timeout=60) as answer:
                return json.load(answer)["value"]
        except urllib.error.HTTPError as error:
            message = json.load(error).get("value", {}).get("message", "")
            raise CheckFailed(f"WebDriver {method} {path}: {message.splitlines()[0] if message else error}") from None

    def script(self, source, *args):
        return self.call("POST", "/execute/sync", {"script": source, "args": list(args)})

    def element(self, css):
        return self.call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css):
        self.call("POST", f"/element/{self.element(css)}/click", {})

    def type(self, css, text):
        element = self.element(css)
        self.call("POST", f"/element/{element}/clear", {})
        self.call("POST", f"/element/{element}/value", {"text": text})

    def text(self, css):
        return self.script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css)

    def visible(self, css):
        return self.script("const e = document.querySelector(arguments[0]); return !!e && !e.closest('[hidden]');", css)

    def rows(self):
        return self.script("""return [...document.querySelectorAll('#nodes-table tbody tr')].map(r => ({
            id: r.dataset.nodeId, state: r.dataset.state, role: r.cells[2].textContent, lag: r.cells[4].textContent}));""")

    def script_errors(self):
        """The page's console errors, leaving out the HTTP errors the check provokes (401, 4xx answers)."""
        entries = self.call("POST", "/se/log", {"type": "browser"})
        return [entry["message"] for entry in entries
                if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]

    def screenshot(self, path):
        with open(path, "wb") as image:
            image.write(base64.b64decode(self.call("GET", "/screenshot")))

    def close(self):
        try:
            if self.session:
                self.call("DELETE", "")
        finally:
            self.driver.terminate()
            try:
                self.driver.wait(timeout=5)
            except subprocess.TimeoutExpired:  # SIGTERM may be blocked when run from a test runner
                self.driver.kill()
                self.driver.wait()


def click_twice(browser, css):
    """Clicks a confirming button: the first click arms it, the second acts.

    The page disarms the button after 4 s; on a loaded machine the second
    click can come later and arm it again, so it is clicked until it acts."""
    browser.click(css)
    wait_for(f"{css} armed", lambda: browser.text(css) == "Sure?")
    browser.click(css)
    for _ in range(5):
        if browser.text(css) != "Sure?":
            return
        browser.click(css)
    raise CheckFailed(f"{css} stays armed after 6 clicks")


def give_token(browser, token):
    """The page asks for the token: a wrong one is refused, the right one lets it in."""
    wait_for("the token form", lambda: browser.visible("#token-form"))
    browser.type("#token-input", "not-the-token")
    browser.click("#token-form button")
    wait_for("the wrong token refused", lambda: "refused" in (browser.text("#token-message") or ""))
    browser.type("#token-input", token)
    browser.click("#token-form button")
    wait_for("the token form gone", lambda: not browser.visible("#token-form"))
    print("token asked for, a wrong one refused, the right one accepted")


def check_page(browser, url, token, screenshot, dump_path):
    browser.call("POST", "/url", {"url": url})
    if token:
        give_token(browser, token)
    state = wait_for("the service state", lambda: browser.text("#service-state") not in (None, "…") and browser.text("#service-state"))
    print(f"page loaded, service {state}")

    click_twice(browser, "#remove-replica")
    error = wait_for("the manager's error", lambda: browser.visible("#error-banner") and browser.text("#error-text"))
    if "replicas to remove" not in error:
        raise CheckFailed(f"unexpected error text: {error}")
    wait_for("#remove-replica enabled again", lambda: browser.script("return !document.querySelector('#remove-replica').disabled"))
    print(f"error shown: {error}")

    browser.type("#add-count", "2")
    browser.click("#add-node")
    progress = wait_for("a job with per-node stages", lambda: browser.text(".job .job-node .count"))
    print(f"job progress shown: {progress}")
    if browser.visible("#error-banner"):
        raise CheckFailed(f"error after add: {browser.text('#error-text')}")
    wait_for("two RUNNING nodes", lambda: [r["state"] for r in browser.rows()] == ["RUNNING", "RUNNING"], timeout=240)
    wait_for("a replica's lag", lambda: any(r["lag"].endswith(" s") for r in browser.rows()))
    wait_for("job DONE with every stage", lambda: browser.script(
        "const j = document.querySelector('.job'); return j && j.dataset.jobState === 'DONE'"))
    print(f"nodes: {browser.rows()}")

    browser.type("#user-name", "shop")
    browser.type("#user-password", "s3cret-pw")
    browser.click("#user-add")
    wait_for("user shop listed", lambda: browser.visible('#users-table tr[data-user="shop"]'))
    browser.type("#dump-file", dump_path)
    browser.click("#dump-load")
    loaded = wait_for("dump loaded", lambda: browser.script(
        "const s = document.querySelector('#dump-status'); return s.classList.contains('ok') && s.textContent"), timeout=60)
    print(loaded)

    master = next(r["id"] for r in browser.rows() if r["role"] == "master")
    replica = next(r["id"] for r in browser.rows() if r["role"] == "replica")
    if browser.visible(f'#nodes-table tr[data-node-id="{master}"] .promote-node'):
        raise CheckFailed("the master has a Promote button")
    click_twice(browser, f'#nodes-table tr[data-node-id="{replica}"] .promote-node')
    wait_for(f"{replica} is the master", lambda: any(r["id"] == replica and r["role"] == "master" for r in browser.rows()), timeout=90)
    shown = wait_for("the last failover", lambda: browser.visible("#last-failover") and browser.text("#last-failover"))
    if f"switchover {master} → {replica}" not in shown or "epoch 1" not in browser.text("#service-summary"):
        raise CheckFailed(f"the switchover is not shown: {shown!r}, {browser.text('#service-summary')!r}")
    wait_for(f"{master} replicates again", lambda: any(r["id"] == master and r["state"] == "RUNNING" and r["role"] == "replica"
                                                     for r in browser.rows()), timeout=90)
    print(f"promoted {replica}: {shown}")
    endpoints = wait_for("the endpoints", lambda: browser.visible("#endpoints") and browser.text("#endpoints"))
    if "writer" not in endpoints or ":3306" not in endpoints or ":3307" not in endpoints:
        raise CheckFailed(f"the endpoints are not shown: {endpoints!r}")
    print(f"endpoints shown: {endpoints}")
    time.sleep(2.5)  # one more poll, so the picture shows settled figures
    browser.screenshot(screenshot)
    print(f"screenshot: {screenshot}")

    for role in ("replica", "master"):
        node = next(r["id"] for r in browser.rows() if r["role"] == role)
        click_twice(browser, f'#nodes-table tr[data-node-id="{node}"] .remove-node')
        wait_for(f"{node} gone", lambda: all(r["id"] != node for r in browser.rows()), timeout=90)
        print(f"{role} {node} removed")
    wait_for("the empty-table note", lambda: browser.visible("#nodes-empty"))
    errors = browser.script_errors()
    if errors:
        raise CheckFailed(f"script errors in the page: {errors}")


def save_failure_screenshot(browser, path):
    try:
        browser.screenshot(path)
        print(f"screenshot of the failure: {path}", file=sys.stderr)
    except (CheckFailed, OSError) as error:
        print(f"no screenshot of the failure: {error}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description="Checks the manager's web page in headless Chromium.")
    parser.add_argument("url", help="the page, e.g. http://127.0.0.1:50000/ui/")
    parser.add_argument("--screenshot", required=True, help="where to save the PNG")
    parser.add_argument("--token-file", help="the manager's token: the page must ask for it first")
    options = parser.parse_args()
    options.token = None
    if options.token_file:
        with open(options.token_file, encoding="utf-8") as token_file:
            options.token = token_file.readline().strip()
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        print("webui-check: chromium and chromedriver are needed (apt-get install chromium chromium-driver)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="webui-check-") as scratch:
        dump_path = f"{scratch}/shop.sql"
        with open(dump_path, "w", encoding="utf-8") as dump:
            dump.write("CREATE DATABASE shop;\nCREATE TABLE shop.items (id INT PRIMARY KEY, what VARCHAR(40));\n"
                       "INSERT INTO shop.items VALUES (1, 'from the web page');\n")
        browser = Browser(chromium, chromedriver, f"{scratch}/profile")
        try:
            browser.open_session()
            check_page(browser, options.url, options.token, options.screenshot, dump_path)
        except (CheckFailed, OSError) as failure:
            if browser.session:
                save_failure_screenshot(browser, options.screenshot)
            print(f"webui-check: {failure}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    print("webui-check: the page works")
    return 0


if __name__ == "__main__":
    sys.exit(main())
