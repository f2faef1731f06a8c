"""`ledningsbot shell` as a new user meets it: piped input read back as a conversation, people
and channels of their own, the Home tab, the decision form, calendar links that work, files
saved, and help in Swedish. Each test drives the real CLI as a subprocess."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "handlers.cli"]


def _environ(tmp_path: Path, **env: str) -> dict[str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "ADMINS", "PUBLIC_BASE_URL", "SMTP_"))
    }
    environ.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path}/shell.db", **env)
    return environ


def _shell(tmp_path: Path, *lines: str, args: tuple[str, ...] = ()) -> str:
    result = subprocess.run(
        [*CLI, "shell", "--idag", "2026-11-23", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_environ(tmp_path),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def _after(out: str, prompt: str) -> str:
    """What the shell printed for one input line: from its echo to the next prompt."""
    start = out.index(prompt + "\n") + len(prompt) + 1
    following = re.search(r"^@\w+ #[\w-]+> ", out[start:], re.MULTILINE)
    return out[start : start + following.start()] if following else out[start:]


def test_piped_input_is_echoed_after_its_prompt(tmp_path: Path) -> None:
    out = _shell(tmp_path, ":exempel", ":jag anna", "/uppdrag")
    assert "@sara #ledningsgrupp> :exempel\n" in out
    assert "@sara #ledningsgrupp> :jag anna\nDu är nu @anna" in out
    assert "Organet *LG* – Ledningsgrupp för samordning är skapat" in _after(
        out, "@sara #ledningsgrupp> :exempel"
    )
    assert "Du har inga öppna uppdrag" in _after(out, "@anna #ledningsgrupp> /uppdrag")


def test_new_people_and_channels_can_be_used_in_commands(tmp_path: Path) -> None:
    out = _shell(
        tmp_path,
        ":exempel",
        ":person erika Erika Lagergren",
        ":person marcus Marcus Holm",
        ":kanal ny pg-kbm",
        ":medlemmar pg-kbm anna erika marcus",
        "/organ ny PG-KBM Projektgrupp kompetensbaserad matchning #pg-kbm sammankallande @erika",
        ":jag erika",
        "/uppdrag @marcus Ta fram en tidplan till nästa PG-KBM",
        ":jag marcus",
        "/uppdrag",
    )
    assert "Ny person: @erika (Erika Lagergren)" in out
    assert "@sara #pg-kbm> :medlemmar" in out  # created, and switched to
    assert "#pg-kbm har nu medlemmarna @anna, @erika, @marcus." in out
    created = _after(
        out,
        "@sara #pg-kbm> /organ ny PG-KBM Projektgrupp kompetensbaserad "
        "matchning #pg-kbm sammankallande @erika",
    )
    assert "kopplat till #pg-kbm, sammankallande @erika" in created
    assigned = _after(out, "@erika #pg-kbm> /uppdrag @marcus Ta fram en tidplan till nästa PG-KBM")
    assert "── DM till @marcus ──" in assigned and "Du har fått ett uppdrag av @erika" in assigned
    assert "Ta fram en tidplan" in _after(out, "@marcus #pg-kbm> /uppdrag")


def test_home_tab_is_shown_and_its_buttons_can_be_pressed(tmp_path: Path) -> None:
    out = _shell(
        tmp_path,
        ":exempel",
        "/uppdrag @anna Ta fram underlag till nästa LG",
        ":jag anna",
        ":hem",
        ":klicka Klart U-1",
    )
    home = _after(out, "@anna #ledningsgrupp> :hem")
    assert "── Hem-fliken för @anna ──" in home
    assert "Dina öppna uppdrag (1)" in home and "`U-1` Ta fram underlag" in home
    pressed = _after(out, "@anna #ledningsgrupp> :klicka Klart U-1")
    # the tab comes back with the answer on top, and nothing open under it
    notice, _, tab = pressed.partition("Dina öppna uppdrag (0)")
    assert "✅ Uppdrag `U-1` är klart" in notice and tab and "`U-1`" not in tab


def test_decision_form_is_walked_through_and_stored(tmp_path: Path) -> None:
    out = _shell(
        tmp_path,
        ":exempel",
        "/beslut",
        "AU",  # organ
        "",  # meeting: today
        "4",  # §
        "",  # proposal
        "Arbetsutskottet beslutar att anta tidplanen",
        "ja",  # an assignment too
        "@roger",
        "Skicka ut tidplanen",
        "",  # no due date
        "/beslut lista",
    )
    form = _after(out, "@sara #ledningsgrupp> /beslut")
    assert "── formulär: Logga beslut ──" in form
    assert "  Organ [LG – Ledningsgrupp för samordning]: AU\n" in form
    assert "  Beslut: Arbetsutskottet beslutar att anta tidplanen\n" in form
    assert "Beslut *AU-2026-1* loggat" in form
    assert "── DM till @roger ──" in form and "Skicka ut tidplanen" in form
    listed = _after(out, "@sara #ledningsgrupp> /beslut lista")
    assert "AU-2026-1" in listed and "anta tidplanen" in listed


def test_a_form_that_asks_before_it_stores_is_asked_again_with_spara_anda(
    tmp_path: Path,
) -> None:
    out = _shell(
        tmp_path,
        ":exempel",
        "/beslut",
        *("AU", "", "4", "", "Arbetsutskottet beslutar att anta tidplanen", "ja", "@roger"),
        "Skicka ut tidplanen",
        "28 november",  # a Saturday: asked about
        *[""] * 9,  # every field as it was
        "ja",  # Spara ändå
        "/uppdrag visa U-1",
    )
    form = _after(out, "@sara #ledningsgrupp> /beslut")
    question, _, after = form.partition("28 november 2026 är en lördag, ingen arbetsdag.")
    assert "⚠️ Innan jag sparar:" in question and "Beslut *AU-2026-1* loggat" not in question
    assert "Spara ändå? (valfritt)" in after and "Beslut *AU-2026-1* loggat" in after
    shown = _after(out, "@sara #ledningsgrupp> /uppdrag visa U-1")
    assert "senast lördag 28 november 2026" in shown


def test_exported_files_are_saved_in_the_named_folder(tmp_path: Path) -> None:
    folder = tmp_path / "filer"
    out = _shell(
        tmp_path,
        ":exempel",
        "/beslut Ledningsgruppen beslutar enligt förslag",
        "/beslut export",
        args=("--filer", str(folder)),
    )
    saved = re.findall(
        r"^fil sparad: (.+)$", _after(out, "@sara #ledningsgrupp> /beslut export"), re.MULTILINE
    )
    assert saved, out
    csv = [Path(p) for p in saved if p.endswith(".csv")]
    assert csv and csv[0].parent == folder.resolve()
    assert "Ledningsgruppen beslutar enligt förslag" in csv[0].read_text(encoding="utf-8-sig")


def test_calendar_links_are_served_while_the_shell_runs(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*CLI, "shell", "--idag", "2026-11-23"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=_environ(tmp_path, PUBLIC_BASE_URL="https://ledningsbot.region.se"),
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None and process.stdin is not None
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True
    ).start()

    seen: list[str] = []

    def wait_for(pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + 60
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"never printed {pattern!r}:\n{''.join(seen)}") from None
            seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    try:
        process.stdin.write(":exempel\n/mote ny LG 7 december 9-12 Regionhuset\n/kalender\n")
        process.stdin.flush()
        wait_for(r"^\*LG – Ledningsgrupp för samordning\*")  # the organ's feed comes next
        link = wait_for(r"`(http://127\.0\.0\.1:\d+/kalender/[\w-]+\.ics)`").group(1)
        with urllib.request.urlopen(link, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/calendar")
            feed = response.read().decode()
        assert "BEGIN:VCALENDAR" in feed and "LG-möte" in feed
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    assert process.returncode == 0


def test_help_is_swedish(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "shell", "--help"], capture_output=True, text=True, env=_environ(tmp_path)
    )
    assert result.returncode == 0
    assert result.stdout.startswith("användning: ledningsbot shell")
    assert "flaggor:" in result.stdout and "visa den här hjälpen och avsluta" in result.stdout
    for english in ("usage:", "options:", "show this help", "positional arguments"):
        assert english not in result.stdout
    wrong = subprocess.run([*CLI, "db"], capture_output=True, text=True, env=_environ(tmp_path))
    assert wrong.returncode == 2
    assert "ledningsbot db: fel: följande argument saknas" in wrong.stderr
    shell_help = _shell(tmp_path, ":hjälp")
    assert ":person erika Erika Lagergren" in shell_help and ":hem" in shell_help
