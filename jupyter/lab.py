"""Start JupyterLab on the notebooks, offline, with this environment's Python as the kernel (``make lab``).

Prints the URL (with its token) before the server starts, then becomes the server; Ctrl-C stops it.

    python jupyter/lab.py [--notebooks DIR] [--port FIRST_PORT] [--token TOKEN]

The settings that keep JupyterLab off the network (no news feed, no update check, a read-only
extension manager) are in this folder (``jupyter_server_config.py``, ``labconfig/``), found
through ``JUPYTER_CONFIG_PATH``. The kernel is the ``python3`` kernel of this environment, which
runs the interpreter that runs this script (``JUPYTER_PREFER_ENV_PATH=1`` puts the
environment's kernels first). Charts draw inline: ``MPLBACKEND`` (``make`` sets ``Agg`` for the
tests) is not passed on.
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def free_port(first: int = 8888, tries: int = 50, host: str = "127.0.0.1") -> int:
    """The first port from ``first`` on that nothing listens on (0: any free port)."""
    for port in [0] if first == 0 else range(first, first + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise SystemExit(f"no free port in {first}..{first + tries - 1}: pass --port with another first port")


def lab_environment(base: dict | None = None) -> dict:
    """The environment JupyterLab runs in: the project's config first, offline, charts inline."""
    env = dict(os.environ if base is None else base)
    extra = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(HERE), *([extra] if extra else [])])
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.pop("MPLBACKEND", None)
    return env


def lab_command(notebooks: str | os.PathLike, port: int, token: str) -> list[str]:
    """The ``jupyter lab`` command line: no browser, localhost, this port, this token."""
    root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # CI and containers
    return [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={Path(notebooks).resolve()}", *root]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"), help="the folder to open")
    parser.add_argument("--port", type=int, default=8888, help="the first port to try (0: any free port)")
    parser.add_argument("--token", default=None, help="the access token (default: a random one)")
    args = parser.parse_args(argv)
    notebooks = Path(args.notebooks)
    if not notebooks.is_dir():
        raise SystemExit(f"no notebook folder {str(notebooks)!r}: pass --notebooks with an existing folder")
    port = free_port(args.port)
    token = args.token or secrets.token_hex(16)
    print(f"JupyterLab (offline) on {notebooks.resolve()}: http://127.0.0.1:{port}/lab?token={token}", flush=True)
    command = lab_command(notebooks, port, token)
    os.execve(command[0], command, lab_environment())


if __name__ == "__main__":
    main()
