"""lrscope explore: the local server, the self-contained export and bad landscape files."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import urllib.request

import pytest

from lrscope.cli import main
from lrscope.web import MODULES, build_export, web_dir

GOOD = {"format": "lrscope-landscape", "version": 1, "name": "toy", "x": [-1.0, 0.0, 1.0], "y": [-1.0, 1.0],
        "loss": [[2.0, 1.0, 2.0], [3.0, 2.0, 3.0]]}


def _write(tmp_path, name, payload):
    p = tmp_path / name
    p.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return p


def test_export_is_one_self_contained_file(tmp_path, capsys):
    out = tmp_path / "explorer.html"
    assert main(["explore", "--export", str(out)]) == 0
    html = out.read_text()
    # nothing is fetched: no external script, stylesheet or module import
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert 'rel="stylesheet"' not in html
    assert not re.search(r"^\s*import\s", html, re.M)
    assert not re.search(r"https?://", html)
    # every module's code is in it
    for name in MODULES:
        first_fn = re.search(r"^export (?:function|const|class) (\w+)", (web_dir() / name).read_text(), re.M)
        if first_fn:
            assert first_fn.group(1) in html, name
    assert "wrote" in capsys.readouterr().out


def test_export_inlines_a_landscape(tmp_path):
    land = _write(tmp_path, "land.json", GOOD)
    out = tmp_path / "e.html"
    assert main(["explore", "--export", str(out), "--landscape", str(land)]) == 0
    m = re.search(r'<script type="application/json" id="preloaded-landscape">(.*?)</script>', out.read_text(), re.S)
    assert json.loads(m.group(1)) == GOOD
    assert "</script" not in build_export({**GOOD, "name": "</script><b>"}).split('id="preloaded-landscape">')[1].split("</script>")[0]


@pytest.mark.parametrize("payload, message", [
    ("{not json", "is not valid JSON"),
    ({"format": "optuna-study", "trials": []}, "is not a landscape file"),
    ({**GOOD, "version": 7}, "unsupported version"),
    ({**GOOD, "loss": [[1.0, 2.0]]}, "one row per y value"),
])
def test_malformed_or_foreign_landscape_exits_2_with_the_reason(tmp_path, capsys, payload, message):
    land = _write(tmp_path, "bad.json", payload)
    assert main(["explore", "--landscape", str(land), "--export", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert message in err and "lrscope landscape" in err
    assert not (tmp_path / "x.html").exists()


def test_missing_landscape_and_bad_port_exit_2(tmp_path, capsys):
    assert main(["explore", "--landscape", str(tmp_path / "none.json"), "--no-browser"]) == 2
    assert "is not a file" in capsys.readouterr().err
    assert main(["explore", "--port", "70000", "--no-browser"]) == 2
    assert "`port` must be <= 65535" in capsys.readouterr().err


def test_port_in_use_exits_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["explore", "--port", str(port), "--no-browser"]) == 2
    assert "cannot be opened" in capsys.readouterr().err


def test_server_serves_the_page_modules_and_the_landscape(tmp_path):
    land = _write(tmp_path, "land.json", GOOD)
    proc = subprocess.Popen([sys.executable, "-m", "lrscope", "explore", "--no-browser", "--landscape", str(land)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/index\.html\?landscape=landscape\.json", line).group(0)
        base = url.split("index.html")[0]
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200 and '<script type="module" src="app.js">' in r.read().decode()
        with urllib.request.urlopen(base + "app.js", timeout=10) as r:
            assert r.headers["Content-Type"].startswith("text/javascript")
        with urllib.request.urlopen(base + "landscape.json", timeout=10) as r:
            assert json.loads(r.read()) == GOOD
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _start_server(*extra):
    proc = subprocess.Popen([sys.executable, "-m", "lrscope", "explore", "--no-browser", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://([^/]+):(\d+)/index\.html", line)
    assert m, line + proc.stderr.read()
    return proc, m.group(1), int(m.group(2))


def _get(host, port, path="/index.html", host_header=None, timeout=10.0):
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Host": host_header} if host_header is not None else {}
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_200_concurrent_requests_are_all_answered_within_5_seconds():
    import concurrent.futures
    import time

    proc, host, port = _start_server()
    try:
        _get(host, port)       # warm
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
            results = list(pool.map(lambda _: _get(host, port, timeout=5.0)[0], range(200)))
        elapsed = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert results.count(200) == 200, results
    assert elapsed < 5.0, elapsed


def test_foreign_host_headers_are_refused():
    proc, host, port = _start_server()
    try:
        assert _get(host, port, host_header=f"evil.example:{port}")[0] == 403       # DNS rebinding
        assert _get(host, port, host_header="")[0] == 403
        assert _get(host, port, host_header=f"localhost:{port}")[0] == 200
        assert _get(host, port, host_header=f"127.0.0.1:{port}")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_every_interface_is_served_only_with_a_warning():
    proc, host, port = _start_server("--host", "0.0.0.0")
    try:
        assert _get("127.0.0.1", port, host_header=f"127.0.0.1:{port}")[0] == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "every network interface" in err


def test_an_address_that_is_not_ours_is_a_host_error(capsys):
    assert main(["explore", "--host", "999.1.1.1", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "`host`" in err and "Fix:" in err and "`port`" not in err


@pytest.mark.parametrize("text, words", [
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    (json.dumps({"format": "lrscope-landscape", "version": 1, "x": [0, 1], "y": [0, 1],
                 "loss": [[1, 2], [3, int("9" * 400)]]}), "finite number"),
])
def test_hostile_landscape_files_exit_2(tmp_path, capsys, text, words):
    path = tmp_path / "land.json"
    path.write_text(text)
    assert main(["explore", "--landscape", str(path), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Fix:" in err
