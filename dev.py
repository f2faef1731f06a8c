#!/usr/bin/env python3
"""The two commands, on a fresh machine with only Python 3.11:

    python3 dev.py start    # the bot: Slack if tokens are set, else a local shell on SQLite
    python3 dev.py test     # the suite: ruff, mypy, import-linter, pytest (SQLite, PostgreSQL)

Also: `python3 dev.py bench` (benchmarks, see README). Uses a virtualenv in .venv, created and
kept in step with pyproject.toml on each call.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
POSTGRES_ADMIN = os.environ.get(
    "LEDNINGSBOT_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def ensure_venv() -> None:
    """Create .venv and install the project (with dev tools) when pyproject.toml changed."""
    stamp = VENV / ".installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not PY.exists():
        print("Skapar .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PY), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
    stamp.write_text(digest)


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
    commands = {"start": start, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
