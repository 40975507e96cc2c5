"""Screenshots of the built site (docs/site/) at desktop and phone widths, with headless Chromium, to look at.

    python scripts/site_screenshots.py [--out /tmp/site-shots]

Needs Debian's `chromium` (apt-get install chromium). Writes <page>-desktop.png and <page>-phone.png for the index,
a claim with linked claims, a source (its top, and whole down to its archived text) and an actor page; prints their paths.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

SITE = Path(__file__).resolve().parents[1] / "docs" / "site"
PAGES = {
    "index": "index.html",
    "claim": "claims/fg-nis-killed-at-least-300.html",
    "source": "sources/seed-001-denisova-kyiv-open-to-talks.html",
    "source-whole": "sources/seed-001-denisova-kyiv-open-to-talks.html",
    "actor": "actors/dmytro-ponomarenko.html",
}
WIDTHS = {"desktop": (1280, 1400), "phone": (390, 1600)}
TALL = 4
"""A "-whole" page is shot this many screens tall, down to its archived text (headless shots ignore #fragments)."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/site-shots", help="folder for the PNG files")
    ap.add_argument("--site", default=str(SITE), help="the built site (default docs/site; or a `nk-troops site` copy)")
    args = ap.parse_args()
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        print("site_screenshots: chromium is not installed (apt-get install chromium)")
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, rel in PAGES.items():
        for label, (w, h) in WIDTHS.items():
            h = h * TALL if name.endswith("-whole") else h
            png = out / f"{name}-{label}.png"
            cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
            cmd += [
                f"--window-size={w},{h}",
                f"--screenshot={png}",
                (Path(args.site).resolve() / rel).as_uri(),
            ]
            subprocess.run(cmd, check=True, capture_output=True, timeout=120)
            print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
