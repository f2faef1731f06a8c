#!/usr/bin/env python3
"""The two commands, on a fresh machine with only Python 3.11:

    python3 dev.py start    # the bot: Slack if tokens are set, else a local shell on SQLite
    python3 dev.py test     # the suite: ruff, mypy, import-linter, pytest (SQLite, PostgreSQL)

Also: `python3 dev.py bench` (benchmarks, see README) and `python3 dev.py lock` (rewrites
requirements.lock from pyproject.toml; arguments go to `uv pip compile`, e.g. `--upgrade` or
`--upgrade-package ruff`). Uses a virtualenv in .venv that holds exactly requirements.lock and
the project, made anew whenever either file changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import tomllib
import uuid
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
LOCK = ROOT / "requirements.lock"
# The tool that writes the lock: only `python3 dev.py lock` installs it. Installing from the lock
# needs nothing but pip.
UV = "uv==0.13.9"
POSTGRES_ADMIN = os.environ.get(
    "LEDNINGSBOT_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def ensure_venv() -> None:
    """Make .venv hold exactly requirements.lock and the project, when either file changed.

    Only Python's own pip is needed, in three steps: pip itself at the locked version, then every
    locked package with its hash checked, then the project (editable) without dependencies,
    built by the locked setuptools. Nothing is fetched unpinned. Last, pip checks without an
    index that what is installed meets pyproject.toml, dev tools included.
    """
    stamp = VENV / ".installed"
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", LOCK):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    print("Installerar .venv från requirements.lock …", flush=True)
    venv.create(VENV, clear=True, with_pip=True)
    pip = [str(PY), "-m", "pip", "install", "--quiet"]
    with tempfile.TemporaryDirectory() as tmp:
        pinned_pip = Path(tmp) / "pip.lock"
        pinned_pip.write_text(_locked("pip"))
        run([*pip, "--require-hashes", "-r", str(pinned_pip)])
    run([*pip, "--require-hashes", "-r", str(LOCK)])
    # -qq: setuptools' notice about editable installs is not news; errors still show.
    run([*pip, "-q", "--no-deps", "--no-build-isolation", "--no-index", "-e", str(ROOT)])
    # A lock that lags pyproject.toml (a dependency added or raised) fails here, not in a test.
    check = [*pip, "-q", "--dry-run", "--no-build-isolation", "--no-index", "-e", f"{ROOT}[dev]"]
    if subprocess.run(check, cwd=ROOT).returncode != 0:
        sys.exit(f"{LOCK.name} saknar något som pyproject.toml kräver: kör python3 dev.py lock")
    stamp.write_text(digest.hexdigest())


def _locked(name: str) -> str:
    """The lock's lines for one package: `name==version` and its hashes."""
    block: list[str] = []
    for line in LOCK.read_text().splitlines():
        if line.startswith(f"{name}==") or (block and line.lstrip().startswith("--hash=")):
            block.append(line)
        elif block:
            break
    if not block:
        sys.exit(f"{name} saknas i {LOCK.name}: kör python3 dev.py lock")
    return "\n".join(block) + "\n"


def lock(args: list[str]) -> None:
    """Rewrite requirements.lock: every runtime and dev dependency, pip and the build backend.

    One universal resolution from Python 3.11 up, for every OS (markers where a package needs
    them, e.g. colorama on Windows), with the hashes of every file of each pinned version, so
    the same lock installs on Linux, macOS and Windows. Pins already in the lock are kept unless
    `--upgrade` or `--upgrade-package NAME` is given.
    """
    if not PY.exists():
        venv.create(VENV, with_pip=True)
    run([str(PY), "-m", "pip", "install", "--quiet", UV])
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    run(
        [
            str(BIN / "uv"),
            "pip",
            "compile",
            "pyproject.toml",
            "-",  # pip and the build backend, read from stdin
            "--extra",
            "dev",
            "--universal",
            "--python-version",
            "3.11",
            "--python",
            str(PY),
            "--no-python-downloads",
            "--generate-hashes",
            "--custom-compile-command",
            "python3 dev.py lock",
            "--output-file",
            LOCK.name,
            "--quiet",
            *args,
        ],
        input="\n".join(["pip", *build]) + "\n",
        text=True,
    )
    count = sum(1 for line in LOCK.read_text().splitlines() if "==" in line)
    print(f"{LOCK.name}: {count} paket. Kör python3 dev.py test och checka in båda filerna.")


def run(cmd: list[str], **kwargs: object) -> None:
    result = subprocess.run(cmd, cwd=ROOT, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(result.returncode)


def start(args: list[str]) -> None:
    ensure_venv()
    env_has_tokens = os.environ.get("SLACK_BOT_TOKEN") or _dotenv_has("SLACK_BOT_TOKEN")
    command = ["run"] if env_has_tokens else ["shell"]
    os.execv(str(BIN / "ledningsbot"), [str(BIN / "ledningsbot"), *(args or command)])


def _dotenv_has(name: str) -> bool:
    env = ROOT / ".env"
    return env.is_file() and any(
        line.strip().startswith(f"{name}=") and line.strip() != f"{name}="
        for line in env.read_text().splitlines()
    )


def _postgres_database() -> tuple[str | None, str | None]:
    """A throwaway PostgreSQL database for the suite: (url, name) or (None, None) if no server."""
    if os.environ.get("LEDNINGSBOT_TEST_POSTGRES"):
        return os.environ["LEDNINGSBOT_TEST_POSTGRES"], None
    name = f"ledningsbot_test_{uuid.uuid4().hex[:8]}"
    code = (
        "import psycopg,sys\n"
        f"c=psycopg.connect({POSTGRES_ADMIN!r}.replace('postgresql+psycopg','postgresql'),"
        "autocommit=True,connect_timeout=3)\n"
        f"c.execute('CREATE DATABASE {name}')\n"
    )
    result = subprocess.run([str(PY), "-c", code], capture_output=True, text=True)
    if result.returncode != 0:
        return None, None
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def _drop_database(name: str) -> None:
    code = (
        "import psycopg\n"
        f"c=psycopg.connect({POSTGRES_ADMIN!r},autocommit=True,connect_timeout=3)\n"
        f"c.execute('DROP DATABASE IF EXISTS {name} WITH (FORCE)')\n"
    )
    subprocess.run([str(PY), "-c", code], capture_output=True)


def test(args: list[str]) -> None:
    ensure_venv()
    print("== ruff", flush=True)
    run([str(BIN / "ruff"), "check", "."])
    run([str(BIN / "ruff"), "format", "--check", "."])
    print("== mypy", flush=True)
    run([str(BIN / "mypy")])
    print("== import-linter (handlers → bot → storage)", flush=True)
    run([str(BIN / "lint-imports")])
    url, created = _postgres_database()
    env = dict(os.environ)
    if url:
        env["LEDNINGSBOT_TEST_POSTGRES"] = url
        print(f"== pytest (SQLite och PostgreSQL: {url})", flush=True)
    elif os.environ.get("CI"):
        print(
            "PostgreSQL svarar inte på 127.0.0.1:5432; i CI måste sviten köras mot den.",
            file=sys.stderr,
        )
        sys.exit(1)
    else:
        print(
            "== pytest (bara SQLite: ingen PostgreSQL på 127.0.0.1:5432 – "
            "sätt LEDNINGSBOT_TEST_POSTGRES)"
        )
    try:
        result = subprocess.run([str(BIN / "pytest"), *args], cwd=ROOT, env=env)
    finally:
        if created:
            _drop_database(created)
    sys.exit(result.returncode)


def bench(args: list[str]) -> None:
    ensure_venv()
    run([str(PY), "-m", "benchmarks", *args])


def main() -> None:
    commands = {"start": start, "test": test, "bench": bench, "lock": lock}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
