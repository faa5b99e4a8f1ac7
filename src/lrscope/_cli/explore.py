"""`lrscope explore`: serve the loss-landscape explorer page on localhost, or export it as one file.

    lrscope explore                          # a free port, opens the browser
    lrscope explore --port 8765 --no-browser
    lrscope explore --landscape land.json    # open a `lrscope landscape` file in the page
    lrscope explore --export explorer.html   # one self-contained offline file
"""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "explore", help="open the interactive loss-landscape explorer in a browser",
        description="Serve the explorer page on localhost (no network needed), or write it as one offline HTML file.",
    )
    p.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the address")
    p.add_argument("--landscape", metavar="LAND.json", help="a file written by `lrscope landscape` to open in the page")
    p.add_argument("--export", metavar="OUT.html", help="write one self-contained offline page instead of serving")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import _validate as v
    from ..errors import InvalidArgumentError
    from ..web import build_export, load_landscape
    from ._common import check_writable

    port = v.integer("port", args.port, minimum=0)
    if port > 65535:
        raise InvalidArgumentError("port", port, "must be <= 65535", "omit --port for a free one.")
    land = load_landscape(args.landscape) if args.landscape else None
    if args.export:
        out = check_writable("export", args.export)
        out.write_text(build_export(land), encoding="utf-8")
        print(f"wrote {out} (self-contained; open it in any browser, no server needed)")
        return 0
    return _serve(args.host, port, land, open_browser=not args.no_browser)


#: connections the listening socket queues while the server threads start (http.server's default is 5,
#: which made 200 simultaneous requests wait for TCP's SYN retries)
ACCEPT_QUEUE = 128


def host_allowed(header: str | None, bound: str) -> bool:
    """Whether a request's ``Host:`` header may be served: an IP literal, ``localhost`` or the host
    the server was bound to (with any port). A DNS name of someone else's (DNS rebinding: a page
    on evil.example whose name turns into 127.0.0.1) is refused.

    >>> host_allowed("127.0.0.1:8000", "127.0.0.1"), host_allowed("localhost", "127.0.0.1")
    (True, True)
    >>> host_allowed("evil.example:8000", "127.0.0.1"), host_allowed(None, "127.0.0.1")
    (False, False)
    """
    import ipaddress

    if not header:
        return False
    name = header.strip()
    if name.startswith("["):                       # [::1]:8000
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.rsplit(":", 1)[0]
    name = name.lower().rstrip(".")
    if name in ("localhost", bound.lower()):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _serve(host: str, port: int, land, *, open_browser: bool) -> int:
    import functools
    import json
    import socket
    import webbrowser
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from ..errors import InvalidArgumentError
    from ..web import web_dir

    land_bytes = json.dumps(land, allow_nan=False).encode() if land is not None else None

    class Handler(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript",
                          ".css": "text/css", ".html": "text/html", ".json": "application/json"}

        def do_GET(self):  # noqa: N802 (http.server's name)
            if not host_allowed(self.headers.get("Host"), host):
                self.send_error(403, "Host not allowed", "lrscope serves only requests addressed to "
                                "an IP address or localhost.")
                return
            if land_bytes is not None and self.path.split("?")[0] == "/landscape.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(land_bytes)))
                self.end_headers()
                self.wfile.write(land_bytes)
                return
            super().do_GET()

        def do_HEAD(self):  # noqa: N802
            if not host_allowed(self.headers.get("Host"), host):
                self.send_error(403, "Host not allowed")
                return
            super().do_HEAD()

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, format, *args):  # keep the terminal quiet
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = ACCEPT_QUEUE
        daemon_threads = True

    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidArgumentError("host", host, f"is not an address of this machine ({exc})",
                                   "use 127.0.0.1 (the default) or one of this machine's addresses.") from None
    try:
        server = Server((host, port), functools.partial(Handler, directory=str(web_dir())))
    except OSError as exc:
        if exc.errno in (99, 49):   # EADDRNOTAVAIL (Linux, macOS): the host is not one of ours
            raise InvalidArgumentError("host", host, f"cannot be bound ({exc.strerror})",
                                       "use 127.0.0.1 (the default) or one of this machine's addresses.") from None
        raise InvalidArgumentError("port", port, f"cannot be opened on {host} ({exc.strerror})",
                                   "choose another --port, or omit it for a free one.") from exc
    if host in ("0.0.0.0", "::", ""):
        print(f"lrscope explore: warning: --host {host or '(empty)'} serves the page on every network interface: "
              "anyone who can reach this machine can open it. Use the default 127.0.0.1 to keep it local.",
              file=sys.stderr, flush=True)
    real_port = server.server_address[1]
    url = f"http://{host}:{real_port}/index.html" + ("?landscape=landscape.json" if land_bytes is not None else "")
    print(f"lrscope explorer at {url}  (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
