"""Owners as the minutes name them: "Magnus, Roger och Jenny ansvarar för att …",
"MAS-nätverket och elevhälsochefsnätverket fyller i …", "Regionen har i uppdrag att …",
"Marcus (Växjö kommun) återkommer …".

A leading owner phrase is a list of names joined by commas, `och`, `samt`, ending at a verb the
minutes use for an owner (`ansvarar`, `ska`, `återkopplar` …); two names or more need no verb.
Each name is an @mention, an organ (short name, full name, or the first words of its full name),
a member of the workspace by display name or real name (asked about when it is more than one),
or else somebody who is not in Slack, kept by name ("regionen", "Marcus (Växjö kommun)").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.assignments import OwnerSpec
from bot.assignments import texts as assignment_texts
from bot.core.context import Ctx
from bot.core.errors import UserError
from bot.core.markup import parse_mention

JOINERS = {"och", "samt", "&amp;", "&", ","}
VERBS = {
    "ansvarar",
    "ska",
    "skall",
    "får",
    "tar",
    "återkopplar",
    "återkommer",
    "kontaktar",
    "sammanställer",
    "undersöker",
    "bjuder",
    "skickar",
    "lyfter",
    "utser",
    "ges",
    "gör",
    "har",
    "kommer",
    "behöver",
    "fortsätter",
    "fyller",
    "bevakar",
    "säkerställer",
    "tillsätter",
    "uppdaterar",
}
# Leading words of the text that only say who is responsible: dropped from what is to be done.
_LEAD = re.compile(
    r"^(?:ansvarar\s+för\s+att|ansvarar\s+för|har\s+i\s+uppdrag\s+att|ges\s+i\s+uppdrag\s+att|"
    r"får\s+i\s+uppdrag\s+att|ska|skall|kommer\s+att)\s+",
    re.IGNORECASE,
)
_CAPITAL = re.compile(r"^[A-ZÅÄÖ][\wåäöéü-]*$")
# A group named in lower case: "regionen", "kommunerna", "skolcheferna", "IT-chefsnätverket".
_GROUP = re.compile(r"^[\wåäöéü-]{3,}(?:en|na|et)$")


def _bare(token: str) -> str:
    return token.rstrip(",").lower()


def _organ_at(tokens: list[str], i: int, aliases: dict[str, str]) -> tuple[str, int] | None:
    """An organ named at tokens[i]: its short name and how many tokens it took."""
    best: tuple[str, int] | None = None
    for key, short in aliases.items():
        words = key.split()
        k = 0
        while k < len(words) and i + k < len(tokens) and _bare(tokens[i + k]) == words[k]:
            k += 1
            if tokens[i + k - 1].endswith(","):
                break
        if k == len(words):
            if len(words) == 1 and key == short.lower() and tokens[i].rstrip(",") != short:
                continue  # "au" in a text is a word; "AU" is the organ
        else:  # the first words of a longer name, then a comma, a joiner or a verb
            while k >= 2 and not (
                tokens[i + k - 1].endswith(",")
                or i + k >= len(tokens)
                or _bare(tokens[i + k]) in VERBS | JOINERS
            ):
                k -= 1
            if k < 2:
                continue
        if best is None or k > best[1]:
            best = (short, k)
    return best


def _name_at(tokens: list[str], i: int) -> tuple[str, int, bool] | None:
    """A name at tokens[i]: its text, its length in tokens, and whether it is plainly somebody
    outside Slack (a parenthesis: "Marcus (Växjö kommun)", or a group in lower case)."""
    first = tokens[i].rstrip(",")
    if _CAPITAL.match(first):
        k = 1
        while (
            not tokens[i + k - 1].endswith(",")
            and i + k < len(tokens)
            and _CAPITAL.match(tokens[i + k].rstrip(","))
            and _bare(tokens[i + k]) not in VERBS
        ):
            k += 1
        if (
            i + k < len(tokens)
            and tokens[i + k].startswith("(")
            and not tokens[i + k - 1].endswith(",")
        ):
            j = i + k
            while j < len(tokens) and ")" not in tokens[j]:
                j += 1
            if j < len(tokens):
                return " ".join(tokens[i : j + 1]).rstrip(","), j + 1 - i, True
        return " ".join(tokens[i : i + k]).rstrip(","), k, False
    if _GROUP.match(first) and first.lower() not in VERBS:
        return first, 1, True
    return None


@dataclass(frozen=True)
class _Found:
    """An owner as typed: its kind ("user", "organ", "name"), value, whether it is plainly
    somebody outside Slack, and where it stands among the words."""

    kind: str
    value: str
    outside: bool
    start: int
    used: int


def leading_owners(
    ctx: Ctx,
    text: str,
    aliases: dict[str, str],
    command: str = "/uppdrag",
    *,
    alone: bool = False,
    consumed: Callable[[str], bool] | None = None,
    after: str = "",
) -> tuple[list[OwnerSpec], str] | None:
    """The owners a text begins with as the minutes write them, and what is left (the owner
    verb's empty words dropped); None when the text does not begin that way. With ``alone``
    (`/uppdrag ändra U-1 Magnus och Roger`) the names may also be all there is, or be followed
    only by what ``consumed`` reads wholly (a due point, reporting back: `… och Roger till
    nästa AU`); then every name must be somebody in Slack or an organ – when none is, the words
    are the new text; when only some are, the user is asked which was meant (``after``: the
    words the user wrote after `text`, kept in the examples of that question)."""
    tokens = text.split()
    found: list[_Found] = []
    apart = True  # a comma or a joiner since the last owner
    tail = False  # alone: what follows the names is only a due point or reporting back
    i = 0
    while i < len(tokens):
        token = tokens[i]
        bare = _bare(token)
        if bare in JOINERS or not bare:
            apart = True
            i += 1
            continue
        if bare in VERBS:
            break
        user = parse_mention(token.rstrip(","))
        if user:
            kind, value, outside, used = "user", user, False, 1
        elif organ := _organ_at(tokens, i, aliases):
            kind, value, outside, used = "organ", organ[0], False, organ[1]
        elif name := _name_at(tokens, i):
            kind, value, outside, used = "name", name[0], name[2], name[1]
        elif alone and found and consumed is not None and consumed(" ".join(tokens[i:])):
            tail = True
            break
        else:
            return None
        if not apart and "name" in (kind, found[-1].kind):
            return None  # "Fortsätta dialogen och …": a verb and its object, not two names
        found.append(_Found(kind, value, outside, i, used))
        i += used
        apart = tokens[i - 1].endswith(",")
    verb = i < len(tokens) and _bare(tokens[i]) in VERBS
    if alone and found and (i >= len(tokens) or tail):
        if not _names_alone(ctx, tokens, found, i, command, aliases, after):
            return None
        rest = " ".join(tokens[i:])
    elif not found or i >= len(tokens) or not (verb or len(found) > 1):
        return None
    else:
        rest = _LEAD.sub("", " ".join(tokens[i:]), count=1)
        rest = rest[:1].upper() + rest[1:]
    if all(f.kind == "user" for f in found):
        return None  # @mentions alone: the ordinary parser reads those, the text as typed
    owners: list[OwnerSpec] = []
    for f in found:
        if f.kind == "user":
            owners.append(OwnerSpec(user_id=f.value))
        elif f.kind == "organ":
            owners.append(OwnerSpec(organ=f.value))
        elif f.outside:
            owners.append(OwnerSpec(name=f.value))
        else:
            people = ctx.directory.find_people(f.value)
            if len(people) > 1:
                raise UserError(
                    assignment_texts.ambiguous_name(
                        f.value, people, _with_mention(command, tokens, f)
                    )
                )
            owners.append(OwnerSpec(user_id=people[0]) if people else OwnerSpec(name=f.value))
    return owners, rest


def _resolves(ctx: Ctx, found: _Found) -> bool:
    """Whether an owner written alone is somebody in Slack or an organ."""
    if found.kind != "name":
        return True
    return not found.outside and bool(ctx.directory.find_people(found.value))


def _names_alone(
    ctx: Ctx,
    tokens: list[str],
    found: list[_Found],
    end: int,
    command: str,
    aliases: dict[str, str],
    after: str = "",
) -> bool:
    """Names with no owner verb (`ändra U-1 Anna och Roger [till nästa AU]`): whether they are
    the new owners. Not when none of them is somebody in Slack or an organ ("Budgeten och
    verksamhetsplanen": the new text), nor one organ or @mention alone (the ordinary parser
    reads those); asks when only some of them are."""
    known = [f for f in found if _resolves(ctx, f)]
    if not known or (len(found) == 1 and found[0].kind != "name"):
        return False
    if len(known) < len(found):
        tail = " ".join([*tokens[end:], after]).strip()
        names = " ".join(tokens[:end])
        kept = [
            f.value if f.kind == "organ" else " ".join(tokens[f.start : f.start + f.used])
            for f in known
        ]
        # "Roger LG i oktober": somebody, then an organ with no "till" before it – the example
        # reads the organ as the due point.
        owners_tail = tail
        last = found[-1]
        due = _organ_after_person(ctx, tokens, last, aliases) if last not in known else None
        if due is not None:
            kept.append(" ".join(tokens[last.start : due]))
            owners_tail = " ".join(["till", *tokens[due:], after]).strip()
        listed = [k.rstrip(",") for k in kept]
        as_owners = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " och " + listed[-1]
        raise UserError(
            assignment_texts.text_or_owners(
                [f.value for f in found if f not in known],
                f'{command} "{names}" {tail}'.strip(),
                f"{command} {as_owners} {owners_tail}".strip(),
            )
        )
    return True


def _organ_after_person(
    ctx: Ctx, tokens: list[str], found: _Found, aliases: dict[str, str]
) -> int | None:
    """Where an organ begins inside a name that is somebody followed by it ("Roger LG"): the
    index of its first word, or None."""
    for split in range(found.start + 1, found.start + found.used):
        organ = _organ_at(tokens, split, aliases)
        person = " ".join(tokens[found.start : split]).rstrip(",")
        whole = organ is not None and split + organ[1] == found.start + found.used
        if whole and ctx.directory.find_people(person):
            return split
    return None


def _with_mention(command: str, tokens: list[str], found: _Found) -> str:
    """The user's own words with the name that is several people written with @."""
    comma = "," if tokens[found.start + found.used - 1].endswith(",") else ""
    end = found.start + found.used
    words = [*tokens[: found.start], f"@{found.value}{comma}", *tokens[end:]]
    return f"{command} {' '.join(words)}".strip()


def person(ctx: Ctx, typed: str, example: str) -> str | None:
    """One member of the workspace by a name as typed ("Erika Lagergren"); None if nobody is
    called that; asks when several are."""
    people = ctx.directory.find_people(typed)
    if len(people) > 1:
        raise UserError(assignment_texts.ambiguous_name(typed, people, example))
    return people[0] if people else None
