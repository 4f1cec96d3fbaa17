"""Headless Chromium for the browser tests, and axe-core (the accessibility checker) to inject.

The browser (:func:`chrome`, for every browser test): the system's Chromium
and chromedriver (no downloaded browser build), headless, a private profile, no background
requests. axe-core comes from the npm registry (``npm pack axe-core@AXE_VERSION``) into
``~/.cache/ppw/`` once, never into the repository; a machine without npm or the registry gets a
skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: The axe-core release the accessibility test runs (pinned: a new release may add rules).
AXE_VERSION = "4.14.1"
AXE_CACHE = Path(os.environ.get("PPW_CACHE", Path.home() / ".cache" / "ppw")) / "axe-core"


class Unavailable(Exception):
    """What a test needs is not on this machine (the message says what and how to get it)."""


def chromium_missing() -> str | None:
    """Why headless Chromium cannot run here, or None."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    return (
        "headless Chromium not found (/usr/bin/chromium and /usr/bin/chromedriver); "
        "install with: apt-get install chromium chromium-driver"
    )


def chrome(profile_dir: Path, *, offline: bool = True, height: int = 1600, logs: bool = False):
    """A headless Chromium driver; ``offline``: every request but ``file:`` and ``data:`` fails;
    ``logs``: the browser's console and network logs are kept (``driver.get_log``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    if logs:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size=1280,{height}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(180)
    if offline:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    return driver


def axe_source(version: str = AXE_VERSION, cache: Path = AXE_CACHE) -> str:
    """The text of ``axe.min.js``, fetched with ``npm pack`` into ``cache`` the first time.

    Raises
    ------
    Unavailable
        npm is not installed, or the registry cannot be reached (the message says which).
    """
    target = cache / version / "axe.min.js"
    if not target.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise Unavailable("npm is not installed: axe-core comes from the npm registry")
        with tempfile.TemporaryDirectory(prefix="ppw-axe-") as tmp:
            try:
                run = subprocess.run(
                    [npm, "pack", f"axe-core@{version}", "--pack-destination", tmp],
                    capture_output=True, text=True, timeout=180, cwd=tmp, check=False,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                raise Unavailable("npm pack axe-core timed out (no registry?)") from None
            packed = sorted(Path(tmp).glob("axe-core-*.tgz"))
            if run.returncode != 0 or not packed:
                reason = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no package"]
                raise Unavailable(f"npm pack axe-core@{version} failed: {reason[0]}")
            with tarfile.open(packed[0]) as archive:
                member = archive.extractfile("package/axe.min.js")
                if member is None:
                    raise Unavailable(f"axe-core {version}'s package has no axe.min.js")
                data = member.read()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    return target.read_text(encoding="utf-8")
