"""What the explorer's browser tests share: Debian's Chromium through playwright (never
`playwright install`) and one `lrscope explore` server per test module.

Test modules import the fixtures: ``from webpage import browser, server  # noqa: F401``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import find_binary, need_tool

#: WebGL 2 comes from SwiftShader (Chromium's software renderer): no GPU is needed
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-extensions", "--enable-unsafe-swiftshader"]


def chromium() -> str | None:
    path = "/usr/bin/chromium"
    return path if os.path.exists(path) else find_binary("chromium", "chromium-browser")


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([sys.executable, "-m", "lrscope", "explore", "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://\S+/index\.html", proc.stdout.readline()).group(0)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    exe = chromium()
    need_tool("chromium", exe is not None, "apt-get install chromium (never `playwright install`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
