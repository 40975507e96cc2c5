"""A small client for headless Chromium's DevTools protocol over a pipe (``--remote-debugging-pipe``): the browser
tests drive Debian's ``chromium`` with it, with no driver binary and no Python package beyond the standard library.

The protocol is JSON messages separated by NUL bytes, written to the browser's file descriptor 3 and read from its
descriptor 4. Events that arrive while a command waits for its answer are kept in ``events``.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name))), None)


IMAGES_LOADED = """Promise.all(Array.from(document.images, i => { i.loading = 'eager'; return i.complete ? 0 :
  new Promise(done => { i.addEventListener('load', done); i.addEventListener('error', done); }); }))"""
"""Load every image of the page now, lazy ones too, and wait until each has loaded or failed."""


class Chromium:
    """One headless browser, one page (a tab) with the Page, Runtime, Network and Log domains enabled."""

    def __init__(self, exe: str, width: int = 1280, height: int = 900):
        self.profile = tempfile.TemporaryDirectory(prefix="nk-chromium-")
        to_browser, from_us = os.pipe()
        to_us, from_browser = os.pipe()

        def child() -> None:  # the browser reads commands on fd 3 and writes answers on fd 4
            a, b = os.dup(to_browser), os.dup(from_browser)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run"]
        args += ["--disable-extensions", "--disable-background-networking", "--disable-component-update"]
        args += ["--disable-sync", "--no-default-browser-check", "--metrics-recording-only"]
        args += [f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}", "about:blank"]
        self.proc = subprocess.Popen(
            args, pass_fds=(3, 4), preexec_fn=child, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(to_browser)
        os.close(from_browser)
        self.write_fd, self.read_fd = from_us, to_us
        self.buffer = b""
        self.last_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.page(f"{domain}.enable")
        self.page("Emulation.setFocusEmulationEnabled", {"enabled": True})
        self.page("Network.setCacheDisabled", {"cacheDisabled": True})

    def _message(self, timeout: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.read_fd], [], [], timeout)
            if not ready:
                raise TimeoutError(f"chromium sent nothing for {timeout} s")
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed its pipe")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self.last_id += 1
        msg: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        while True:
            answer = self._message(timeout)
            if answer.get("id") == self.last_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def page(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        return self.send(method, params, self.session, timeout)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        """The first event named ``method`` not yet taken (waiting for it if needed); earlier events are kept."""
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        while True:
            ev = self._message(timeout)
            if ev.get("method") == method:
                return ev
            self.events.append(ev)

    def load(self, url: str) -> list[dict[str, Any]]:
        """Open ``url``, wait for its load event and then for its images (those it would load lazily too), and
        return every event since the navigation began: an image that does not load is seen, and none is cut off
        by the next navigation."""
        self.events.clear()
        self.page("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        self.evaluate(IMAGES_LOADED, await_promise=True)
        events, self.events = self.events, []
        return events

    def evaluate(self, expression: str, *, await_promise: bool = False, timeout: float = 60) -> Any:
        params = {"expression": expression, "returnByValue": True, "awaitPromise": await_promise}
        result = self.page("Runtime.evaluate", params, timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def press(self, key: str, code: int, shift: bool = False, times: int = 1) -> None:
        """Press and release a key ``times`` times. The commands are all written before any answer is read (the
        browser runs them in order), so a long run of presses costs no round trip each."""
        base = {"key": key, "code": key, "windowsVirtualKeyCode": code, "modifiers": 8 if shift else 0}
        first = self.last_id + 1
        for _ in range(times):
            for kind in ("rawKeyDown", "keyUp"):
                self.last_id += 1
                msg = {"id": self.last_id, "method": "Input.dispatchKeyEvent", "params": {"type": kind, **base}}
                os.write(self.write_fd, json.dumps({**msg, "sessionId": self.session}).encode() + b"\0")
        waiting = set(range(first, self.last_id + 1))
        while waiting:
            answer = self._message(60)
            if answer.get("id") in waiting:
                if "error" in answer:
                    raise RuntimeError(f"Input.dispatchKeyEvent: {answer['error']}")
                waiting.remove(answer["id"])
            else:
                self.events.append(answer)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.write_fd)
        os.close(self.read_fd)
        self.profile.cleanup()
