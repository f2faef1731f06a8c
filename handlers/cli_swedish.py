"""argparse in Swedish, with no gettext catalogue: a help formatter with a Swedish usage prefix,
a parser with Swedish section titles and -h help, and its error lines translated by a small
table of argparse's own phrases. Subparsers are made with the same class, so the whole CLI
(`ledningsbot --help`, `ledningsbot shell --help`, every error) speaks Swedish."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

USAGE = "användning: "
HELP = "visa den här hjälpen och avsluta"
# argparse's error phrases (Python 3.11–3.13) and how they read in Swedish.
PHRASES = [
    (r"the following arguments are required: ", "följande argument saknas: "),
    (r"one of the arguments (.+) is required", r"ett av argumenten \1 behövs"),
    (r"unrecognized arguments: ", "okända argument: "),
    (r"invalid choice: (.+?) \(choose from ", r"ogiltigt val: \1 (välj bland "),
    (r"invalid (\S+) value: ", r"ogiltigt värde (\1): "),
    (r"expected at least one argument", "minst ett värde behövs"),
    (r"expected at most one argument", "högst ett värde går"),
    (r"expected one argument", "ett värde behövs"),
    (r"ambiguous option: (\S+) could match ", r"flaggan \1 kan betyda flera: "),
    (r"not allowed with argument ", "går inte ihop med argumentet "),
    (r"ignored explicit argument ", "värdet tas inte emot: "),
]


def swedish(message: str) -> str:
    for english, native in PHRASES:
        message = re.sub(english, native, message)
    return message


class SwedishHelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)


class SwedishArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", SwedishHelpFormatter)
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False  # our own -h, with Swedish help
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fel: {swedish(message)}\n")
