"""A bounded load test on loopback: gunicorn (one sync worker) and wrk.

Run from the project root (needs Debian's ``wrk`` and ``pip install
gunicorn``)::

    python benchmarks/load.py [--seconds 10]

Each app is served in turn by ``gunicorn -w 1`` and loaded by ``wrk -t1 -c4``
with ``X-Forwarded-Proto: https`` (so every response carries the full HTTPS
header set and nothing is redirected). Prints requests/s and errors.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
APPS = ["bare", "ours", "flask-talisman-1.1.0"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str) -> None:
    # No proxies (the environment may set one) and the header wrk sends.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    for _ in range(100):
        try:
            opener.open(request, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def run_one(name: str, seconds: int) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(HERE),
            f"load_apps:create('{name}')",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url)
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                "-c4",
                f"-d{seconds}s",
                "-H",
                "X-Forwarded-Proto: https",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        server.terminate()
        server.wait()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": rate,
        "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": 0 if socket_errors is None else 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    sys.path.insert(0, str(HERE))
    import _vendor

    _vendor.install()
    results = {name: run_one(name, args.seconds) for name in APPS}
    bare = results["bare"]["rate"]
    print(f"{'app':24} {'requests/s':>11} {'vs bare':>8} {'requests':>9} errors")
    for name, result in results.items():
        errors = result["non_2xx"] + result["socket_errors"]
        print(
            f"{name:24} {result['rate']:11.0f} {result['rate'] / bare:8.2f} "
            f"{result['requests']:9.0f} {errors:6.0f}"
        )


if __name__ == "__main__":
    main()
