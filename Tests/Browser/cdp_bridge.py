#!/usr/bin/env python3
"""A headless Chromium for the Swift test suite, driven over the Chrome
DevTools Protocol. The tests write one JSON request per line on stdin and read
one JSON answer per line on stdout, so the scenarios and their assertions live
in Swift (Tests/StewardIntegrationTests/WebUI*.swift); this file only speaks
CDP. It needs the `websocket-client` package and a `chromium` binary.

Requests: {"op": "navigate", "url"} | {"op": "eval", "expr"} |
{"op": "wait", "expr", "timeout"} | {"op": "click", "selector"} |
{"op": "type", "selector", "text"} | {"op": "key", "key"} |
{"op": "screenshot", "path"} | {"op": "errors"} | {"op": "quit"}.
Answers: {"ok": true, "value": ...} or {"ok": false, "error": "..."}.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

KEYS = {
    "Enter": ("Enter", "Enter", 13, "\r"), "Escape": ("Escape", "Escape", 27, ""),
    "Tab": ("Tab", "Tab", 9, ""), "Space": (" ", "Space", 32, " "),
}


class Browser:
    def __init__(self, chromium, width, height):
        self.profile = tempfile.mkdtemp(prefix="steward-chromium-")
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--window-size={width},{height}", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError("chromium did not start")
            time.sleep(0.05)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.errors = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == mine:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            self.event(message)

    def event(self, message):
        method, params = message.get("method"), message.get("params", {})
        # Uncaught exceptions, console.error and the browser's own errors (a
        # Content-Security-Policy violation, a failed script load) are kept for
        # the tests to assert there are none.
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + (details.get("exception", {}).get("description") or details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())

    def evaluate(self, expr):
        result = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(details.get("exception", {}).get("description") or details.get("text"))
        return result.get("result", {}).get("value")

    def wait(self, expr, timeout):
        deadline = time.time() + timeout
        last = None
        # JavaScript decides what is truthy (an element, a non-empty string);
        # an element comes back as true.
        probe = ("(async () => { const v = await (%s);"
                 " return {ok: !!v, v: v instanceof Node ? true : v}; })()" % expr)
        while time.time() < deadline:
            try:
                result = self.evaluate(probe)
                last = result.get("v")
                if result.get("ok"):
                    return last
            except RuntimeError as error:
                last = f"error: {error}"
            time.sleep(0.05)
        raise RuntimeError(f"timed out after {timeout} s waiting for: {expr} (last: {json.dumps(last)[:300]})")

    def center(self, selector):
        box = self.evaluate(
            "(() => { const e = document.querySelector(%s); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height}; })()" % json.dumps(selector))
        if not box:
            raise RuntimeError(f"no element matches {selector}")
        if box["w"] == 0 or box["h"] == 0:
            raise RuntimeError(f"{selector} is not visible")
        return box

    def click(self, selector):
        # Only a click that lands on the element: a redraw or a notice in the
        # way is waited out (briefly), never clicked through.
        deadline = time.time() + 5
        while True:
            box = self.center(selector)
            hit = self.evaluate(
                "(() => { const e = document.querySelector(%s); const at = document.elementFromPoint(%f, %f);"
                " return !!(e && at && (e === at || e.contains(at))); })()" % (json.dumps(selector), box["x"], box["y"]))
            if hit:
                break
            if time.time() > deadline:
                raise RuntimeError(f"{selector} is covered by another element")
            time.sleep(0.05)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)

    def type(self, selector, text):
        self.evaluate("document.querySelector(%s).focus()" % json.dumps(selector))
        self.evaluate("(() => { const e = document.activeElement; if (e.select) e.select(); })()")
        self.call("Input.insertText", text=text)

    def key(self, name):
        key, code, keycode, text = KEYS[name]
        self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, windowsVirtualKeyCode=keycode, text=text)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=keycode)

    def screenshot(self, path):
        import base64
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))
        return os.path.getsize(path)

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    chromium = os.environ.get("STEWARD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    browser = Browser(chromium, 1280, 900)
    print(json.dumps({"ok": True, "value": "ready"}), flush=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            op = request.get("op")
            try:
                if op == "navigate":
                    value = browser.call("Page.navigate", url=request["url"]).get("errorText")
                    if value:
                        raise RuntimeError(value)
                elif op == "eval":
                    value = browser.evaluate(request["expr"])
                elif op == "wait":
                    value = browser.wait(request["expr"], float(request.get("timeout", 20)))
                elif op == "click":
                    value = browser.click(request["selector"])
                elif op == "type":
                    value = browser.type(request["selector"], request["text"])
                elif op == "key":
                    value = browser.key(request["key"])
                elif op == "screenshot":
                    value = browser.screenshot(request["path"])
                elif op == "errors":
                    browser.evaluate("0")  # drain pending events
                    value = browser.errors
                elif op == "quit":
                    break
                else:
                    raise RuntimeError(f"unknown op {op}")
                answer = {"ok": True, "value": value}
            except Exception as error:  # the test reads the message
                answer = {"ok": False, "error": str(error)}
            print(json.dumps(answer), flush=True)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
