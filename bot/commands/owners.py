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


def leading_owners(
    ctx: Ctx,
    text: str,
    aliases: dict[str, str],
    command: str = "/uppdrag",
    *,
    alone: bool = False,
) -> tuple[list[OwnerSpec], str] | None:
    """The owners a text begins with as the minutes write them, and what is left (the owner
    verb's empty words dropped); None when the text does not begin that way. With ``alone``
    (`/uppdrag ändra U-1 Magnus och Roger`) the names may also be all there is: two names or
    more, or one that is a member of the workspace."""
    tokens = text.split()
    found: list[tuple[str, str, bool]] = []  # (kind, value, outside Slack)
    apart = True  # a comma or a joiner since the last owner
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
        else:
            return None
        if not apart and "name" in (kind, found[-1][0]):
            return None  # "Fortsätta dialogen och …": a verb and its object, not two names
        found.append((kind, value, outside))
        i += used
        apart = tokens[i - 1].endswith(",")
    verb = i < len(tokens) and _bare(tokens[i]) in VERBS
    if alone and found and i >= len(tokens):
        if len(found) == 1 and not (
            found[0][0] == "name" and not found[0][2] and ctx.directory.find_people(found[0][1])
        ):
            return None  # one word alone ("ändra U-1 Rekrytering"): the new text
    elif not found or i >= len(tokens) or not (verb or len(found) > 1):
        return None
    if all(kind == "user" for kind, _, _ in found):
        return None  # @mentions alone: the ordinary parser reads those, the text as typed
    rest = _LEAD.sub("", " ".join(tokens[i:]), count=1)
    rest = rest[:1].upper() + rest[1:]
    owners: list[OwnerSpec] = []
    for kind, value, outside in found:
        if kind == "user":
            owners.append(OwnerSpec(user_id=value))
        elif kind == "organ":
            owners.append(OwnerSpec(organ=value))
        elif outside:
            owners.append(OwnerSpec(name=value))
        else:
            people = ctx.directory.find_people(value)
            if len(people) > 1:
                raise UserError(
                    assignment_texts.ambiguous_name(
                        value, people, f"{command} @{value} {rest}".strip()
                    )
                )
            owners.append(OwnerSpec(user_id=people[0]) if people else OwnerSpec(name=value))
    return owners, rest


def person(ctx: Ctx, typed: str, example: str) -> str | None:
    """One member of the workspace by a name as typed ("Erika Lagergren"); None if nobody is
    called that; asks when several are."""
    people = ctx.directory.find_people(typed)
    if len(people) > 1:
        raise UserError(assignment_texts.ambiguous_name(typed, people, example))
    return people[0] if people else None
