"""A small sampling profiler for a threaded server: every few ms, where is each thread?

Threads blocked waiting for work (a selector, a socket read, a queue, a condition) count as
idle; every other sample counts as busy, attributed to each function on its stack (inclusive)
and to the package of its innermost frame. Wall-clock thread time, not CPU time, but under the
interpreter lock it shows where the time of a loaded process goes. Opt-in (`--profile`): the
sampler itself costs a few per cent.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from pathlib import Path
from types import FrameType

# Innermost Python frames of a thread that waits for something to do.
IDLE = {
    ("selectors.py", "select"),
    ("socket.py", "readinto"),
    ("socket.py", "accept"),
    ("threading.py", "wait"),
    ("threading.py", "_wait_for_tstate_lock"),
    ("thread.py", "_worker"),
    ("queue.py", "get"),
    ("wasyncore.py", "poll2"),  # waitress's loop, waiting in poll()
    ("sampler.py", "_run"),
    ("serve.py", "main"),
}
# Waits worth naming: counted apart from idle and busy.
WAITS = {
    ("thread_runner.py", "run"): "Bolt request thread polling for ack() (time.sleep(0.01) loop)",
}


class Sampler:
    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.samples = 0
        self.busy = 0
        self.inclusive: Counter[str] = Counter()
        self.leaf_package: Counter[str] = Counter()
        self.waits: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    self._sample(frame)

    def _sample(self, frame: FrameType) -> None:
        self.samples += 1
        code = frame.f_code
        where = (Path(code.co_filename).name, code.co_name)
        if where in IDLE:
            return
        if where in WAITS:
            self.waits[WAITS[where]] += 1
            return
        self.busy += 1
        self.leaf_package[_package(code.co_filename)] += 1
        seen: set[str] = set()
        current: FrameType | None = frame
        while current is not None:
            name = _name(current)
            if name.startswith(("threading.py:", "wasyncore.py:")):
                pass
            elif name not in seen:
                seen.add(name)
                self.inclusive[name] += 1
            current = current.f_back

    def report(self, top: int = 40) -> str:
        self._stop.set()
        self._thread.join(timeout=1)
        busy = max(1, self.busy)
        lines = [
            f"{self.samples} thread samples, {self.busy} busy "
            f"(every {self.interval * 1000:.0f} ms per thread)",
        ]
        for wait, n in self.waits.most_common():
            lines.append(f"{n} samples: {wait}")
        lines += ["", "Busy samples by package of the innermost frame:"]
        for package, n in self.leaf_package.most_common(15):
            lines.append(f"  {100 * n / busy:5.1f}%  {package}")
        lines += ["", "Busy samples by function on the stack (inclusive):"]
        for name, n in self.inclusive.most_common(top):
            lines.append(f"  {100 * n / busy:5.1f}%  {name}")
        return "\n".join(lines) + "\n"


def _package(filename: str) -> str:
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    for root in ("bot", "handlers", "storage", "benchmarks"):
        if root in parts:
            return root
    return "stdlib:" + Path(filename).stem


def _name(frame: FrameType) -> str:
    path = Path(frame.f_code.co_filename)
    parts = path.parts
    if "site-packages" in parts:
        where = "/".join(parts[parts.index("site-packages") + 1 :])
    elif any(root in parts for root in ("bot", "handlers", "storage")):
        index = max(parts.index(r) for r in ("bot", "handlers", "storage") if r in parts)
        where = "/".join(parts[index:])
    else:
        where = path.name
    return f"{where}:{frame.f_code.co_name}"
