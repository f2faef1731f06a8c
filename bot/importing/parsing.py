"""Reading a set of minutes: lines in, a Proposal out. Pure: no database, no clock.

How the text is read, in order:

1. Paragraphs. Word says where they are. In text and PDF a blank line ends a paragraph, except
   in "double-spaced" text (most lines followed by one blank line, as text copied out of a PDF
   often is): there it takes two.
2. Lines. Each line is an item heading ("§ 5", "5.", "5)", "5 Titel", "Punkt 5", "5.2"), a label
   ("Närvarande:", "Beslut:", "Föredragande Erika", "Förslag till beslut:" …) or running text.
   A numbered heading counts only in order (5 after 4, 5.2 after 5.1), so a list inside an
   item is not taken for items; "§ 45" may start anywhere, as in a kommun's protokoll.
3. Blocks. A label's text and the running text after it, to the end of its paragraph (a label
   alone on its line takes the paragraph below it; a proposal also takes the paragraphs up to
   a decision that follows at once).
4. Meaning. Decisions ("Beslut: …", "Ledningsgruppen beslutar att …", "Kommittén godkände …"),
   proposals, assignments ("X ansvarar för …", "X får i uppdrag att …", "uppdrar åt X att …",
   "återkoppling sker till …", due "till kommande sammanträde den 28 maj"), later sessions
   (a workshop, a conference, an internat, a meeting, with their dates), and the warnings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time

from bot.core.dates import MONTH_NAMES, DateError, MeetingRef, When, parse_due, parse_when
from bot.core.reporting import REPORT_NOUN, REPORT_VERB
from bot.core.workdays import holiday_name, is_working_day
from bot.importing import texts
from bot.importing.model import (
    Due,
    Item,
    Person,
    Proposal,
    ProposedAssignment,
    ProposedDecision,
    Session,
)
from bot.importing.reading import Source
from bot.importing.when import Found, find_dates, fold
from bot.meetings import KINDS
from bot.organs import BUILTIN_ALIASES

#: Organisations of the region the bot serves (the guide's §1); more come from the minutes.
ORGANISATIONS = (
    "Alvesta",
    "Lessebo",
    "Ljungby",
    "Markaryd",
    "Tingsryd",
    "Uppvidinge",
    "Växjö",
    "Älmhult",
    "Region Kronoberg",
)


def builtin_organs() -> dict[str, str]:
    table: dict[str, str] = {}
    for short, words in BUILTIN_ALIASES.items():
        for word in words:
            table[word] = short
    return table


@dataclass(frozen=True)
class Known:
    """What the minutes may name. ``people``: full name → Slack user id (None: no directory,
    names are then checked against the minutes' own attendance only). ``organs``: lower-case
    alias → short name. ``organisations``: organisations an attendance line may end with."""

    people: Mapping[str, str] | None = None
    organs: Mapping[str, str] = field(default_factory=builtin_organs)
    organisations: tuple[str, ...] = ORGANISATIONS


# ------------------------------------------------------------------------------ vocabulary

_ITEM_SECTION = re.compile(r"^§\s*(\d{1,4})(?:\.(\d{1,2}))?\s*[.:)–-]?\s*(.*)$")
_ITEM_WORD = re.compile(
    r"^(?:punkt|ärende|p\.)\s*(\d{1,3})(?:\.(\d{1,2}))?\s*[.:)–-]?\s*(.*)$", re.IGNORECASE
)
_ITEM_NUMBER = re.compile(r"^(\d{1,2})(?:\.(\d{1,2}))?(?:[.)]\s*|\s+)(\S.*)$")
MONTH_WORDS = {fold(m) for m in MONTH_NAMES} | {
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "okt",
    "nov",
    "dec",
}
_ITEM_PLAIN = {"övrigt", "övriga frågor", "övriga ärenden", "mötets avslutande"}
_MONTHS = set(MONTH_WORDS)
_TIME_IN_TITLE = re.compile(r"\s*\(\s*(?:kl\.?\s*)?\d{1,2}[.:]\d{2}\s*[–-]\s*\d{1,2}[.:]\d{2}\s*\)")

_LABEL = re.compile(r"^(?P<label>[^\W\d][\w .,/&'’()-]{0,48}?)\s*:\s*(?P<rest>.*)$")
_PRESENTER = re.compile(
    r"^(?:föredragande|fördragande|föredragare|föredras av)\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BARE_LABELS = re.compile(
    r"^(?P<label>beslut|förslag till beslut|förslag|uppdrag|sammanträdesdatum|mötesdatum"
    r"|närvarande|frånvarande|deltagare|beslutande|gäster|gästande|justerare)"
    r"(?:\s+(?P<rest>\d.*))?$",
    re.IGNORECASE,
)

# folded label → kind
_LABELS: dict[str, str] = {}
for _kind, _words in {
    "time": "tid|datum|nar|sammantradesdatum|motesdatum|dag och tid|datum och tid|tidpunkt",
    "placetime": "plats och tid|tid och plats|plats och datum|datum och plats",
    "place": "plats|lokal|var|motesplats|moteslokal",
    "present": "narvarande|deltagare|narvarande ledamoter|beslutande|ledamoter|deltagande"
    "|narvarande ledamoter och ersattare|ersattare|tjanstgorande ersattare|narvaro",
    "absent": "ej narvarande|franvarande|forhinder|anmalt forhinder|anmald franvaro"
    "|franvarande ledamoter|fick forhinder|ej narvarande ledamoter",
    "guests": "gaster|gastande|gast|adjungerade|adjungerad|inbjudna|medverkande"
    "|tjanstepersoner|ovriga|ovriga narvarande",
    "justerare": "justerare|att justera|justeras av|justeringsperson|justeringspersoner",
    "ignore": "sekreterare|motesanteckningar|minnesanteckningar|antecknare|vid protokollet"
    "|protokollforare|ordforande|mötesordförande|justering|justeringens plats och tid"
    "|underskrifter|paragrafer|utses att justera|motesordforande",
    "decision": "beslut|beslutet|beslut i korthet",
    "proposal": "forslag till beslut|forslag|forslag till atgard|forslag till yttrande",
    "assignment": "uppdrag|atgard|atgarder|att gora|uppgift",
    "owner": "ansvarig|ansvariga",
    "due": "klart till|klart senast|senast|deadline|klart",
    "report": "aterkoppling|aterrapportering",
    "next": "nasta mote|nasta trff|nasta traff|nasta sammantrade|kommande moten"
    "|kommande sammantraden|motestider|nasta moten",
}.items():
    for _word in _words.split("|"):
        _LABELS[_word] = _kind
_PREFIX_LABELS = (("ovriga ", "guests"), ("justerare ", "justerare"))
_SELF_WORDS = {
    "motet",
    "gruppen",
    "natverket",
    "kommitten",
    "namnden",
    "styrelsen",
    "utskottet",
    "arbetsutskottet",
    "radet",
    "presidiet",
    "ledningsgruppen",
    "arbetsgruppen",
    "processgruppen",
    "samverkansgruppen",
    "vi",
}
# "beslutar att", "beslutade enligt förslag": only with what follows ("den beslutade ordningen")
_DECIDES = (
    r"(?:beslutar|beslutade|beslöt)(?=\s+(?:att|enligt|enlig|om|i\s+enlighet|därmed|vidare"
    r"|också|även|följande|nu|vid|till)\b|\s*[:.,–-]|$)"
)
_APPROVES = (
    r"(?:godkänner|godkände|fastställer|fastställde|antar|antog|ställer sig bakom"
    r"|ställde sig bakom|bifaller|biföll|tillstyrker|tillstyrkte)\b"
)
_PASSIVE = r"(?:godkänns|godkändes|fastställs|fastställdes)\b"
_DECISION = re.compile(
    rf"^(?:(?P<subject>[^\W\d][\w:-]*(?:\s+[\w:-]+){{0,3}}?)\s+(?:(?P<decides>{_DECIDES})"
    rf"|{_APPROVES}|lägger\s+(?:\S+\s+){{1,3}}?till\s+handlingarna|(?P<passive>{_PASSIVE}))"
    r"|(?:det\s+)?(?:beslutades|beslöts|beslutas)\s+(?:att|enligt)\b)",
    re.IGNORECASE,
)
_ADOPTS = re.compile(
    r"enligt?\s+(?:\S+\s+){0,2}förslag|i enlighet med (?:\S+\s+){0,2}förslag"
    r"|(?:bifaller|biföll|godkänner|godkände|antar|antog|fastställer|ställer sig bakom)"
    r"\s+(?:\S+\s+){0,2}förslag",
    re.IGNORECASE,
)
_ANSWER_LABEL = re.compile(r"^(?P<who>\S+)s\s+(?:svar|ställningstagande|bedömning|yttrande)$")
_ASSIGNMENT_TRIGGER = re.compile(
    r"ansvarar för|ansvariga? för|i uppdrag|uppdrar|uppdrog|uppdras|återkopplar"
    r"|återrapporterar|uppdraget att",
    re.IGNORECASE,
)
_WHO = r"(?P<owners>[^.;]+?)"
_WHAT = r"(?P<what>.+)"
_ASSIGNMENTS = [
    re.compile(
        rf"^{_WHO}\s+(?:ansvarar|ansvara|är ansvarig|är ansvariga|blir ansvarig|blir ansvariga)"
        rf"\s+för\s+(?:att\s+)?{_WHAT}$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^{_WHO}\s+(?:får|fick|ges|gavs|har)\s+(?:i\s+uppdrag|uppdraget)\s+(?:att\s+)?{_WHAT}$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?:(?P<subject>[^.;]+?)\s+)?(?:uppdrar|uppdrog|uppdra)\s+(?:åt\s+|till\s+)?"
        rf"(?!att\b){_WHO}\s+att\s+{_WHAT}$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?:(?P<subject>[^.;]+?)\s+)?(?:ger|gav|ge)\s+{_WHO}\s+(?:i\s+uppdrag|uppdraget)"
        rf"\s+(?:att\s+)?{_WHAT}$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?:det\s+)?uppdras\s+(?:åt|till)\s+{_WHO}\s+att\s+{_WHAT}$",
        re.IGNORECASE,
    ),
    re.compile(rf"^{_WHO}\s+uppdras\s+(?:att\s+)?{_WHAT}$", re.IGNORECASE),
    re.compile(
        rf"^(?:[^\W\d]+\s+){{0,3}}?(?:har|får|ges)\s+{_WHO}\s+(?:i\s+uppdrag|uppdraget)\s+att"
        rf"\s+{_WHAT}$",
        re.IGNORECASE,
    ),
]
_REPORT = re.compile(
    rf"(?:[,;]?\s*(?:och|samt)?\s*)?(?:med\s+)?{REPORT_NOUN}"
    r"(?:\s+(?:sker|ska ske|skall ske|görs|ska göras))?\s+till\s+(?P<to>[^.;()]+)",
    re.IGNORECASE,
)
_REPORT_VERB = re.compile(
    rf"(?:^|[\s,;]+)(?:och\s+)?{REPORT_VERB}\s+(?:\S+\s+)*?till\s+(?P<to>[^.;()]+)",
    re.IGNORECASE,
)
_DUE_WORD = re.compile(r"\s(?:till|senast|före|innan|inför|by)\s", re.IGNORECASE)
_DUE_MEETING = re.compile(
    r"^(?:den\s+)?(?:(?:kommande|nästa)\s+|\S+s\s+)?(?:(?:kommande|nästa)\s+)?"
    r"(?:sammanträde|möte|träff|nätverksträff|ledningsgruppsmöte|ledningsgrupp)(?:t|n|et)?"
    r"(?:\s+(?:i|med)\s+\S+)?(?:\s+(?P<date>.+))?$",
    re.IGNORECASE,
)
_POSTPONED = re.compile(
    r"skjut(?:s|as|it|its)\b|flytta(?:s|t|des)? från|ställ(?:s|des|ts) in|inställ|\butgår\b"
    r"|avlys",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"ägde rum|hölls|genomfördes|genomförts|har varit|\bsenaste\b|föregående|förra\b",
    re.IGNORECASE,
)
#: A later session's date written without a year is at most this many days after the meeting
#: (further off, "2 juni" in September more likely meant the June gone by).
YEARLESS_DAYS = 300
_DUE_BEFORE = re.compile(r"\b(?:senast|före|innan|deadline|klart)\s+(?:den\s+)?$", re.I)
_DONE_BY = re.compile(r"[,\s]*(?:och\s+)?(?:vara\s+)?klar[t]?\s*$", re.IGNORECASE)
_NEW_DATE = re.compile(r"nytt datum|flytta(?:s|t|des)? till|ny tid", re.IGNORECASE)
_SESSION_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"spridningskonferens\w*", re.IGNORECASE), "spridningskonferens"),
    (re.compile(r"\w*konferens\w*", re.IGNORECASE), "konferens"),
    (re.compile(r"\w*workshop\w*", re.IGNORECASE), "workshop"),
    (re.compile(r"internat\w*|planeringsdag\w*|planeringsdygn\w*", re.IGNORECASE), "internat"),
    (re.compile(r"nätverksträff\w*|\bträff(?:en)?\b", re.IGNORECASE), "nätverksträff"),
    (re.compile(r"utbildningsdag\w*|\butbildning(?:en)?\b", re.IGNORECASE), "utbildning"),
    (re.compile(r"sammanträde\w*|\bmöte(?:t|n)?\b|\w+möte(?:t)?\b", re.IGNORECASE), "möte"),
]
_BULLET = re.compile(r"^(?:[-–•*·▪●]\s*|\d{1,2}[.)]\s+|att\s)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"”'(•–-]?\s*[A-ZÅÄÖÉ])")
#: Words that end in a dot without ending the sentence ("kl. 13", "t.ex. Växjö").
_ABBREVIATIONS = {"kl", "t.ex", "bl.a", "ca", "fr.o.m", "t.o.m", "nr", "s.k", "resp", "m.m", "dvs"}
_PARTIES = {"S", "M", "C", "V", "L", "KD", "SD", "MP", "FP", "ÖP"}
_ROLES = (
    "ordförande",
    "vice ordförande",
    "förste vice ordförande",
    "andre vice ordförande",
    "ordf",
    "v ordf",
    "sekreterare",
    "ledamot",
    "ersättare",
    "tjänstgörande ersättare",
    "justerare",
    "föredragande",
    "adjungerad",
    "adjungerande",
    "sammankallande",
)
_BLOCK_KINDS = {"decision", "proposal", "assignment", "owner", "due", "report", "text", "answer"}
_BULLET_MARK = re.compile(r"^[-–•*·▪●]\s*")
_PARTICLES = {"von", "af", "de", "van", "der", "den", "la", "le", "el", "bin", "di", "da"}
_NONE_WORDS = {"inga", "ingen", "-", "–", "inga anmälda", "ingen anmäld"}
#: The bot's own references at the end of a line of its minutes: a decision's "(LG-2023-1)"
#: (with its status, "[upphävt]", if not in force) and an assignment's "(U-1)". Read off the
#: text; an assignment's is kept as a hint that two lines are the same assignment.
_OWN_REF = re.compile(
    r"\s*\((?P<ref>[A-ZÅÄÖ][A-ZÅÄÖ0-9]*(?:-[A-ZÅÄÖ0-9]+)*-\d{4}-\d+|U-\d+)\)"
    r"(?:\s*\[[^\]\n]{1,30}\])?\s*$"
)
#: An assignment as the bot's minutes write it (bot.cycle.texts.doc_assignment):
#: "Uppdrag: OWNERS – text. Klart DUE. Återkoppling sker till WHOM. (U-1)".
_WRITTEN_TASK = re.compile(
    r"^(?P<owners>[^–.;:\n]{1,200}?)\s+–\s+(?P<what>.+?)\.?"
    r"(?:\s+Klart\s+(?P<due>[^\n]+?)\.)?"
    r"(?:\s+Återkoppling sker till\s+(?P<to>[^.\n]+)\.?)?$",
    re.DOTALL,
)
#: Owners the register could not link, kept in the text by the importer (texts.owners_in_text).
_NOTED_OWNERS = re.compile(r"\s*\(ansvariga enligt anteckningarna:\s*(?P<names>[^)]*)\)\s*$")


# --------------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class Line:
    no: int
    text: str
    para: int


def _lines(source: Source) -> list[Line]:
    if source.paragraphs is not None:
        return [
            Line(i + 1, text, source.paragraphs[i]) for i, text in enumerate(source.lines) if text
        ]
    gaps: list[int] = []
    run, seen = 0, False
    for text in source.lines:
        if not text:
            run += 1
            continue
        if seen:
            gaps.append(run)
        seen, run = True, 0
    counts = Counter(gaps)
    needed = 2 if counts[1] > counts[0] else 1
    result: list[Line] = []
    para, run = 0, 0
    for i, text in enumerate(source.lines):
        if not text:
            run += 1
            continue
        if not result or run >= needed:
            para += 1
        result.append(Line(i + 1, text, para))
        run = 0
    return result


# ---------------------------------------------------------------------------------- blocks


@dataclass
class Block:
    kind: str  # "text" | "decision" | "proposal" | "assignment" | "answer" ...
    label: str
    parts: list[tuple[int, str, int]] = field(default_factory=list)  # (line, text, para)
    waiting: bool = False  # a label alone on its line: takes the paragraph below
    label_line: int = 0
    refs: list[str] = field(default_factory=list)  # the bot's own refs read off its lines

    @property
    def line(self) -> int:
        return self.label_line or (self.parts[0][0] if self.parts else 0)

    def add(self, line: Line, text: str) -> None:
        self.parts.append((line.no, text, line.para))

    def text(self) -> str:
        out = ""
        previous_para = None
        for _, text, para in self.parts:
            if not out:
                out = text
            elif para != previous_para or _BULLET.match(text):
                out += "\n" + text
            elif _glued(out, text):
                out += text
            else:
                out += " " + text
            previous_para = para
        return out.strip()

    def sentences(self) -> list[tuple[int, str]]:
        """The block's sentences, each with the line it starts on."""
        offsets: list[tuple[int, int]] = []
        out = ""
        previous_para = None
        for no, text, para in self.parts:
            sep = "" if not out else ("\n" if para != previous_para or _BULLET.match(text) else " ")
            offsets.append((len(out) + len(sep), no))
            out += sep + text
            previous_para = para
        result: list[tuple[int, str]] = []
        for chunk_start, chunk in _split_sentences(out):
            line = next((no for off, no in reversed(offsets) if off <= chunk_start), self.line)
            result.append((line, chunk))
        return result


def _glued(before: str, text: str) -> bool:
    """ "(11:10–" + "11:30)": joined without a space (words hyphenated at a line end were
    joined when the file was read)."""
    return before.endswith(("–", "-")) and before[-2:-1].isdigit()


def _split_sentences(text: str) -> Iterable[tuple[int, str]]:
    """Sentences with their offsets: split after . ! ? before a capital, not after "kl."."""
    position = 0
    for paragraph in text.split("\n"):
        begin = 0
        for match in _SENTENCE_END.finditer(paragraph):
            word = paragraph[: match.start()].rsplit(None, 1)[-1].lower().rstrip(".")
            if word in _ABBREVIATIONS:
                continue
            piece = paragraph[begin : match.start()]
            if piece.strip():
                yield position + begin, piece.strip()
            begin = match.end()
        if paragraph[begin:].strip():
            yield position + begin, paragraph[begin:].strip()
        position += len(paragraph) + 1


def _heading(text: str, last: tuple[int, int] | None) -> tuple[str | None, str, int, int] | None:
    """(number, title, main, sub) if ``text`` is the next item's heading."""
    match = _ITEM_SECTION.match(text)
    if match:
        main, sub = int(match.group(1)), int(match.group(2) or 0)
        if last is None or (main, sub) > last:
            return _number(main, sub), match.group(3).strip(), main, sub
        return None
    match = _ITEM_WORD.match(text)
    if match:
        main, sub = int(match.group(1)), int(match.group(2) or 0)
        if last is None or (main, sub) > last:
            return _number(main, sub), match.group(3).strip(), main, sub
        return None
    match = _ITEM_NUMBER.match(text)
    if match:
        main, sub = int(match.group(1)), int(match.group(2) or 0)
        title = match.group(3).strip()
        first_word = fold(title.split()[0].strip(".,:;"))
        if not (title[:1].isupper() or title[:1] in "”\"'(") or first_word in _MONTHS:
            return None
        if title.startswith(("%", ":")):
            return None
        last_main, last_sub = last or (0, 0)
        expected = (
            (sub == 0 and main == last_main + 1)
            or (sub > 0 and main == last_main and sub == last_sub + 1)
            or (sub == 1 and main == last_main + 1)
        )
        if expected:
            return _number(main, sub), title, main, sub
        return None
    if fold(text.rstrip(":.")) in {fold(w) for w in _ITEM_PLAIN}:
        return None, text.rstrip(":."), -1, -1
    return None


def _number(main: int, sub: int) -> str:
    return f"{main}.{sub}" if sub else str(main)


def _label(text: str) -> tuple[str, str, str] | None:
    """(kind, label as written, rest) for a label line."""
    match = _PRESENTER.match(text)
    if match:
        return "presenter", text.split()[0], match.group("rest").strip()
    match = _BARE_LABELS.match(text)
    if match:
        label = match.group("label")
        return _LABELS.get(fold(label), "text"), label, (match.group("rest") or "").strip()
    match = _LABEL.match(text)
    if not match:
        return None
    label, rest = match.group("label").strip(), match.group("rest").strip()
    key = fold(label)
    if key in _LABELS:
        return _LABELS[key], label, rest
    for prefix, kind in _PREFIX_LABELS:
        if key.startswith(prefix):
            return kind, label, rest
    if key.endswith(" forslag") or key.startswith("forslag "):
        return "proposal", label, rest
    if key.endswith("s beslut"):
        return "decision", label, rest
    if _ANSWER_LABEL.match(key):
        return "answer", label, rest
    if len(label.split()) <= 4 and not any(ch.isdigit() for ch in label):
        return "text", label, rest
    return None


# --------------------------------------------------------------------------------- parser


@dataclass
class _ItemDraft:
    item: Item
    blocks: list[Block] = field(default_factory=list)
    presenters: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Attendance:
    kind: str
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


class _Reader:
    def __init__(self, known: Known, organ: str | None, today: date) -> None:
        self.known = known
        self.today = today
        self.proposal = Proposal()
        self.organ_arg = organ.upper() if organ else None
        self.header: list[Line] = []
        self.items: list[_ItemDraft] = []
        self.lists: list[_Attendance] = []
        self.justerare: list[tuple[int, str]] = []
        self.time_labels: list[tuple[int, str]] = []
        self.place_labels: list[tuple[int, str, bool]] = []
        self.next_labels: list[tuple[int, str]] = []
        self._last: tuple[int, int] | None = None
        self._current: _ItemDraft | None = None
        self._block: Block | None = None
        self._attendance: _Attendance | None = None
        self._title_open = False
        #: The "(U-1)" read with an assignment (by the assignment's id): the same one again.
        self._refs: dict[int, str] = {}

    # -- pass 1: lines to items, labels and blocks ------------------------------------------

    def read(self, lines: list[Line]) -> None:
        previous: Line | None = None
        for line in lines:
            self._line(line, previous is not None and previous.para == line.para)
            previous = line

    def _line(self, line: Line, same_para: bool) -> None:
        own = _OWN_REF.search(line.text)
        if own is None:
            self._read_line(line, same_para)
            return
        text = line.text[: own.start()].rstrip()
        if text:
            self._read_line(Line(line.no, text, line.para), same_para)
        if self._block is not None:
            self._block.refs.append(own.group("ref"))

    def _read_line(self, line: Line, same_para: bool) -> None:
        text = line.text
        heading = _heading(text, self._last)
        if heading is not None:
            number, title, main, sub = heading
            if main >= 0:
                self._last = (main, sub)
            self._current = _ItemDraft(Item(number, _title(title), line=line.no))
            self.items.append(self._current)
            self._block, self._attendance, self._title_open = None, None, True
            return
        # "… våra nya / ledamöter: Anna, Per" is a sentence going on, not a label
        label = _label(text) if text[:1].isupper() else None
        current = self._current
        if (
            self._title_open
            and current is not None
            and same_para
            and label is None
            and _continues_title(current.item.title, text)
        ):
            current.item.title = _title(_join_title(current.item.title, text))
            return
        self._title_open = False
        if self._attendance is not None and label is None:
            if _continues_list(self._attendance, line, same_para):
                self._attendance.lines.append((line.no, text))
                return
            self._attendance = None
        if label is not None:
            kind, written, rest = label
            self._block = None
            self._attendance = self._label(kind, written, rest, line, current)
            if self._attendance is None and kind in _BLOCK_KINDS:
                block = Block(kind, written, waiting=not rest, label_line=line.no)
                if rest:
                    block.add(line, rest)
                if current is not None:
                    current.blocks.append(block)
                self._block = block
            return
        if current is None:
            self.header.append(line)
            return
        open_block = self._block
        if open_block is not None and (
            open_block.waiting or same_para or self._continues_block(open_block, text)
        ):
            open_block.add(line, text)
            open_block.waiting = False
            return
        block = Block("text", "")
        block.add(line, text)
        current.blocks.append(block)
        self._block = block
        return

    def _continues_block(self, block: Block, text: str) -> bool:
        """After a paragraph break: a decision or proposal goes on while its paragraphs are
        bullets or "Att …" clauses, as its first one was."""
        if block.kind not in ("decision", "proposal") or not block.parts:
            return False
        return bool(_BULLET.match(block.parts[0][1]) and _BULLET.match(text))

    def _label(
        self, kind: str, written: str, rest: str, line: Line, current: _ItemDraft | None
    ) -> _Attendance | None:
        if kind in ("present", "absent", "guests"):
            attendance = _Attendance(kind, line.no)
            if rest:
                attendance.lines.append((line.no, rest))
            self.lists.append(attendance)
            return attendance
        if kind == "justerare":
            if rest:
                self.justerare.append((line.no, rest))
        elif kind == "time":
            self.time_labels.append((line.no, rest))
        elif kind in ("place", "placetime"):
            self.place_labels.append((line.no, rest, kind == "placetime"))
        elif kind == "next":
            self.next_labels.append((line.no, f"{written}: {rest}"))
        elif kind == "presenter" and current is not None:
            current.presenters.append((line.no, rest))
        return None

    # -- pass 2: meaning ----------------------------------------------------------------------

    def finish(self) -> Proposal:
        p = self.proposal
        self._header_lists()
        organisations = self._organisations()
        for attendance in self.lists:
            people = _people([t for _, t in attendance.lines], organisations)
            target = {"present": p.present, "absent": p.absent, "guests": p.guests}
            target[attendance.kind].extend(
                person for person in people if person not in target[attendance.kind]
            )
        self._meeting()
        self._organ()
        for line, raw in self.justerare:
            for name in _split_names(raw):
                if fold(name) in _NONE_WORDS:
                    continue  # "Justerare: –": none
                resolved = self._person(name, line, strict=False)
                if resolved and resolved not in p.justerare:
                    p.justerare.append(resolved)
        for draft in self.items:
            self._item(draft)
            p.items.append(draft.item)
        for line, text in self.next_labels:
            self._sessions(line, text, label=True)
        p.sessions.sort(key=lambda s: (s.start_date, s.end_date))
        for draft in self.items:
            self._item_dues(draft)
        p.warnings.sort(key=lambda w: w.line)
        return p

    def _header_lists(self) -> None:
        """A run of "Name, Organisation" lines in the header with no heading above it."""
        if any(a.kind == "present" for a in self.lists):
            return
        run: list[Line] = []
        best: list[Line] = []
        for line in self.header:
            if _person_like(line.text) and (not run or line.para - run[-1].para <= 1):
                run.append(line)
            else:
                if len(run) > len(best):
                    best = run
                run = [line] if _person_like(line.text) else []
        if len(run) > len(best):
            best = run
        if len(best) >= 3:
            attendance = _Attendance("present", best[0].no, [(x.no, x.text) for x in best])
            self.lists.insert(0, attendance)
            self.proposal.warn(best[0].no, texts.attendance_without_heading())
            taken = {x.no for x in best}
            self.header = [x for x in self.header if x.no not in taken]

    def _organisations(self) -> list[str]:
        found = list(self.known.organisations)
        for attendance in self.lists:
            for _, text in attendance.lines:
                parts = [x.strip() for x in text.split(",")]
                if (
                    len(parts) == 2
                    and _name_words(parts[0])
                    and parts[1][:1].isupper()
                    and len(parts[1]) < 40
                ):
                    org = _organisation(parts[1])
                    if org and fold(org) not in {fold(o) for o in found}:
                        found.append(org)
        return found

    # -- the meeting ----------------------------------------------------------------------------

    def _meeting(self) -> None:
        p = self.proposal
        candidates = [(no, text) for no, text in self.time_labels]
        candidates += [(no, text) for no, text, both in self.place_labels if both]
        candidates += [(x.no, x.text) for x in self.header]
        for no, text in candidates:
            found = find_dates(text, self.today, future=False)
            if not found:
                continue
            hit = found[0]
            p.date = hit.when.start
            p.start, p.end = hit.when.start_time, hit.when.end_time
            self._check_date(no, hit, texts_what="Mötet")
            if not hit.year_written:
                p.warn(no, texts.date_without_year(hit.text, hit.when.start))
            break
        if p.date is None:
            p.warn(1, texts.no_meeting_date())
        if p.date is not None and p.start is None:
            for _no, text in [*self.time_labels, *[(n, t) for n, t, b in self.place_labels if b]]:
                clock = _clock(text, p.date)
                if clock is not None:
                    p.start, p.end = clock
                    break
        for _no, text, both in self.place_labels:
            place = text
            if both:
                for hit in find_dates(text, self.today, future=False):
                    place = place.replace(hit.text, " ")
                place = re.sub(r"\bkl\.?\s*[\d.:]+(?:\s*[–-]\s*[\d.:]+)?", " ", place)
            place = re.sub(r"\s*,(\s*,)+", ",", " ".join(place.split())).strip(" ,;")
            if place:
                p.place = place
                break

    def _check_date(self, no: int, hit: Found, texts_what: str) -> None:
        day = hit.when.start
        if hit.weekday is not None and hit.weekday != day.weekday():
            self.proposal.warn(no, texts.wrong_weekday(hit.text, day, hit.weekday))
        self._working_day(no, texts_what, hit.when)

    def _working_day(self, no: int, what: str, when: When) -> None:
        day = when.start
        while day <= when.end:
            if not is_working_day(day):
                self.proposal.warn(no, texts.not_a_working_day(what, day, holiday_name(day)))
                return
            day = date.fromordinal(day.toordinal() + 1)

    # -- the organ ------------------------------------------------------------------------------

    def _organ(self) -> None:
        p = self.proposal
        if self.organ_arg:
            p.organ = self.organ_arg
            return
        for line in self.header[:4]:
            organ = _alias_in(line.text, self.known.organs)
            if organ:
                p.organ = organ
                return
        subjects: Counter[str] = Counter()
        first: dict[str, int] = {}
        for draft in self.items:
            for block in draft.blocks:
                for no, sentence in block.sentences():
                    match = _DECISION.match(_strip_decision_label(sentence))
                    if match and match.group("subject"):
                        organ = self.known.organs.get(fold(match.group("subject")).strip())
                        organ = organ or self.known.organs.get(match.group("subject").lower())
                        if organ:
                            subjects[organ] += 1
                            first.setdefault(organ, no)
        if subjects:
            organ = subjects.most_common(1)[0][0]
            p.organ = organ
            p.warn(first[organ], texts.organ_guessed(organ))
            return
        p.warn(1, texts.organ_not_found())

    def _self_words(self) -> set[str]:
        words = set(_SELF_WORDS)
        organ = self.proposal.organ
        for alias, short in self.known.organs.items():
            if short == organ:
                words.add(fold(alias))
        return words

    # -- items ------------------------------------------------------------------------------

    def _item(self, draft: _ItemDraft) -> None:
        item = draft.item
        names: list[str] = []
        for no, raw in draft.presenters:
            for name in _split_names(raw):
                resolved = self._person(name, no, strict=False)
                if resolved and resolved not in names:
                    names.append(resolved)
        item.presenter = ", ".join(names) or None
        self._sessions(item.line, item.title)
        for block in draft.blocks:
            for no, sentence in block.sentences():
                self._sessions(no, sentence)
        blocks = self._merge_proposals(draft.blocks)
        pending: list[tuple[Block, str]] = []  # proposals not yet decided on
        last_text: Block | None = None
        pending_task: tuple[int, str] | None = None
        self_words = self._self_words()
        for block in blocks:
            body = block.text()
            if block.kind == "proposal":
                if body:
                    pending.append((block, body))
                continue
            if block.kind == "answer":
                self.proposal.warn(block.line, texts.unread_decision(f"{block.label}: {body}"))
            if block.kind == "decision":
                if not body:
                    self.proposal.warn(block.line, texts.unread_decision(block.label))
                    continue
                self._decide(item, block.line, body, block.sentences(), pending, last_text)
                pending, last_text = [], None
                continue
            if block.kind == "assignment":
                if self._written_assignment(item, block):
                    continue
                sentences = block.sentences()
                if not self._assignments(item, sentences, None, warn=False):
                    pending_task = (block.line, body)
                continue
            if block.kind == "owner":
                self._owner_label(item, block, pending_task)
                pending_task = None
                continue
            if block.kind == "due":
                self._due_label(item, block)
                continue
            if block.kind == "report":
                self._report_label(item, block)
                continue
            # running text: a decision may start in it
            sentences = block.sentences()
            start = next(
                (
                    k
                    for k, (_, s) in enumerate(sentences)
                    if self._is_decision(s, self_words) is True
                ),
                None,
            )
            before = sentences if start is None else sentences[:start]
            for no, sentence in before:
                if self._is_decision(sentence, self_words) is False:
                    self.proposal.warn(no, texts.unread_decision(sentence))
            # an assignment after a decision in the same item is that decision's
            latest = len(item.decisions) - 1 if item.decisions else None
            self._assignments(item, before, latest, warn=True)
            if start is not None:
                decided = sentences[start:]
                text = " ".join(s for _, s in decided)
                self._decide(item, decided[0][0], text, decided, pending, last_text)
                pending, last_text = [], None
            else:
                last_text = block
        for block, body in pending:
            self.proposal.warn(block.line, texts.proposal_without_decision(body))
        if pending_task is not None:
            self.proposal.warn(pending_task[0], texts.unread_assignment(pending_task[1]))

    def _merge_proposals(self, blocks: list[Block]) -> list[Block]:
        """A proposal also takes the running text between it and a decision that follows."""
        result: list[Block] = []
        k = 0
        while k < len(blocks):
            block = blocks[k]
            result.append(block)
            if block.kind == "proposal":
                j = k + 1
                while (
                    j < len(blocks)
                    and blocks[j].kind == "text"
                    and not blocks[j].label
                    and not self._opens_decision(blocks[j])
                ):
                    j += 1
                if j > k + 1 and j < len(blocks) and self._opens_decision(blocks[j]):
                    merged = Block(
                        "proposal", block.label, list(block.parts), label_line=block.line
                    )
                    for extra in blocks[k + 1 : j]:
                        merged.parts.extend(extra.parts)
                    result[-1] = merged
                    k = j
                    continue
            k += 1
        return result

    def _opens_decision(self, block: Block) -> bool:
        if block.kind == "decision":
            return True
        sentences = block.sentences()
        return bool(sentences) and self._is_decision(sentences[0][1], self._self_words()) is True

    def _is_decision(self, sentence: str, self_words: set[str]) -> bool | None:
        """True: a decision of this organ; False: looks like one (someone else's, or
        unreadable); None: not a decision."""
        match = _DECISION.match(_strip_decision_label(sentence))
        if not match:
            return None
        subject = match.group("subject")
        if subject is None or match.group("passive") or fold(subject.strip()) in self_words:
            return True
        return False if match.group("decides") else None

    def _decide(
        self,
        item: Item,
        line: int,
        text: str,
        sentences: list[tuple[int, str]],
        pending: list[tuple[Block, str]],
        last_text: Block | None,
    ) -> None:
        proposal_text: str | None = None
        proposal_sentences: list[tuple[int, str]] = []
        if pending:
            proposal_text = "\n".join(body for _, body in pending)
            for block, _ in pending:
                proposal_sentences += block.sentences()
        elif last_text is not None and re.search(r"\bföreslås\b", last_text.text(), re.I):
            proposal_text = last_text.text()
        decision = ProposedDecision(_strip_decision_label(text), proposal_text, line)
        item.decisions.append(decision)
        index = len(item.decisions) - 1
        adopted = proposal_sentences if _ADOPTS.search(text) else []
        self._assignments(item, [*adopted, *sentences], index, warn=True)

    # -- assignments --------------------------------------------------------------------------

    def _assignments(
        self, item: Item, sentences: list[tuple[int, str]], decision: int | None, *, warn: bool
    ) -> bool:
        """Read assignments from sentences; report-back sentences go to those found in the
        same sentences (or the item's last). Returns whether any was read."""
        made: list[ProposedAssignment] = []
        reports: list[tuple[int, str]] = []
        for no, sentence in sentences:
            clean = _strip_decision_label(sentence)
            clean = re.sub(r"^(?:[-–•*·▪●]\s*)", "", clean)
            clean = re.sub(r"^att\s+", "", clean, flags=re.IGNORECASE).rstrip(" .")
            assignment = self._assignment(no, clean, decision)
            if assignment is not None:
                made.append(assignment)
                item.assignments.append(assignment)
                continue
            report = _REPORT.search(clean) or _REPORT_VERB.search(clean)
            if report and re.match(rf"^(?:[^\w]*\s*)?(?:{REPORT_NOUN}|{REPORT_VERB})", clean, re.I):
                reports.append((no, report.group("to")))
                continue
            if warn and _ASSIGNMENT_TRIGGER.search(clean):
                self.proposal.warn(no, texts.unread_assignment(sentence))
        for no, to in reports:
            targets = [a for a in made if not a.report_to] or made
            if not targets and item.assignments:
                targets = [item.assignments[-1]]
            if not targets:
                self.proposal.warn(no, texts.unread_assignment(f"återkoppling till {to}"))
                continue
            names = self._names(to, no)
            for target in targets:
                target.report_to = list(dict.fromkeys([*target.report_to, *names]))
        return bool(made)

    def _assignment(
        self, no: int, sentence: str, decision: int | None
    ) -> ProposedAssignment | None:
        for pattern in _ASSIGNMENTS:
            match = pattern.match(sentence)
            if not match:
                continue
            groups = match.groupdict()
            subject = groups.get("subject")
            if subject and fold(_after_separator(subject)) not in self._self_words():
                return None
            owners_raw = _after_separator(match.group("owners"))
            if not owners_raw or len(owners_raw) > 120:
                continue
            what = match.group("what").strip()
            report_to: list[str] = []
            report = _REPORT.search(what) or _REPORT_VERB.search(what)
            if report:
                report_to = self._names(report.group("to"), no)
                what = (what[: report.start()] + what[report.end() :]).strip(" ,.")
            what, due = self._due(what)
            what = _DONE_BY.sub("", what)
            owners = self._names(owners_raw, no)
            if not owners or not what:
                continue
            return ProposedAssignment(owners, _capital(what), due, report_to, no, decision)
        return None

    def _due(self, what: str) -> tuple[str, Due | None]:
        p = self.proposal
        reference = p.date or self.today
        spaced = " " + what
        for match in reversed(list(_DUE_WORD.finditer(spaced))):
            candidate = spaced[match.end() :].strip().rstrip(".")
            due = self._due_of(candidate, reference)
            if due is not None:
                return spaced[: match.start()].strip(), due
        return what, None

    def _due_of(self, candidate: str, reference: date) -> Due | None:
        meeting = _DUE_MEETING.match(candidate)
        if meeting:
            if meeting.group("date"):
                found = find_dates(meeting.group("date"), reference, future=True)
                if found and found[0].start == 0:
                    return Due(meeting=found[0].when.start, is_meeting=True)
                return None
            return Due(meeting=None, is_meeting=True)
        normalised = re.sub(r"^(?:kommande|nästkommande)\s+", "nästa ", candidate, flags=re.I)
        try:
            parsed = parse_due(normalised, reference, self.known.organs)
        except DateError:
            return None
        if isinstance(parsed, MeetingRef):
            if parsed.on is None:
                if parsed.organ == self.proposal.organ:
                    return Due(meeting=None, is_meeting=True)
                return None
            return Due(meeting=parsed.on, is_meeting=True)
        return Due(day=parsed.end)

    def _next_meeting_date(self) -> date | None:
        """The next meeting the minutes announce, if they do (read before the items)."""
        meetings = [
            s
            for s in sorted(self.proposal.sessions, key=lambda s: s.start_date)
            if s.kind in ("möte", "nätverksträff") and s.organ == self.proposal.organ
        ]
        return meetings[0].start_date if meetings else None

    def _item_dues(self, draft: _ItemDraft) -> None:
        """Assignments due at "the next meeting": the one the minutes announce, once known;
        and their dates checked."""
        announced = self._next_meeting_date()
        for a in draft.item.assignments:
            if a.due is not None and a.due.is_meeting and a.due.meeting is None and announced:
                a.due = Due(meeting=announced, is_meeting=True)
            # (a due meeting's day is checked with the sessions)
            if a.due is not None and not a.due.is_meeting and a.due.day is not None:
                self._working_day(a.line, "Uppdraget ska vara klart", When(a.due.day, a.due.day))

    def _written_assignment(self, item: Item, block: Block) -> bool:
        """ "Uppdrag: OWNERS – text. Klart DUE. Återkoppling sker till WHOM. (U-1)", as the
        bot's minutes write an assignment (bot.cycle.layout): read back as it was stored.

        Where it hangs: the minutes write a decision's text before its assignments, so the
        assignment a decision gives was read from the decision already: the line is the same
        assignment (same text, or the same "(U-1)"), merged into it, never counted twice, and
        it keeps its decision. A line matching nothing read before hangs on its item only,
        not on the item's last decision (the minutes write no decision for it)."""
        match = _WRITTEN_TASK.match(block.text())
        if match is None:
            return False
        what = match.group("what").strip()
        owners = self._names(match.group("owners"), block.line)
        noted = _NOTED_OWNERS.search(what)
        if noted:
            what = what[: noted.start()].rstrip()
            names = [n.strip() for n in noted.group("names").split(",") if n.strip()]
            # the organ itself was only the stand-in for owners the register could not link
            kept = [] if owners == [self.proposal.organ] else owners
            owners = list(dict.fromkeys([*kept, *names]))
        if not owners or not what:
            return False
        due = self._written_due(match.group("due"))
        report_to = self._names(match.group("to"), block.line) if match.group("to") else []
        ref = block.refs[-1] if block.refs else None
        written = ProposedAssignment(owners, _capital(what), due, report_to, block.line, None)
        key = fold(written.text)
        same = next(
            (
                a
                for a in item.assignments
                if (ref is not None and self._refs.get(id(a)) == ref) or fold(a.text) == key
            ),
            None,
        )
        if same is None:
            item.assignments.append(written)
            same = written
        else:
            same.owners, same.text, same.report_to = owners, written.text, report_to
            same.due = due or same.due
        if ref is not None:
            self._refs[id(same)] = ref
        return True

    def _written_due(self, raw: str | None) -> Due | None:
        """ "till LG-231020 (20 oktober 2023)", "till nästa LG-möte", "senast 1 oktober 2023"."""
        if not raw:
            return None
        reference = self.proposal.date or self.today
        meeting = re.match(r"^till\s+\S+\s+\((?P<date>[^)]*)\)$", raw)
        if meeting:
            found = find_dates(meeting.group("date"), reference, future=True)
            return Due(meeting=found[0].when.start, is_meeting=True) if found else None
        if re.match(r"^till\s+nästa\b", raw, re.IGNORECASE):
            return Due(meeting=None, is_meeting=True)
        found = find_dates(raw, reference, future=True)
        return Due(day=found[0].when.start) if found else None

    def _owner_label(self, item: Item, block: Block, task: tuple[int, str] | None) -> None:
        if task is None:
            self.proposal.warn(
                block.line, texts.unread_assignment(f"{block.label}: {block.text()}")
            )
            return
        owners = self._names(block.text(), block.line)
        what, due = self._due(task[1])
        item.assignments.append(
            ProposedAssignment(owners, _capital(what.rstrip(".")), due, [], task[0])
        )

    def _due_label(self, item: Item, block: Block) -> None:
        if not item.assignments:
            self.proposal.warn(
                block.line, texts.unread_assignment(f"{block.label}: {block.text()}")
            )
            return
        due = self._due_of(block.text().rstrip("."), self.proposal.date or self.today)
        if due is None:
            self.proposal.warn(
                block.line, texts.unread_assignment(f"{block.label}: {block.text()}")
            )
            return
        item.assignments[-1].due = due

    def _report_label(self, item: Item, block: Block) -> None:
        to = re.sub(r"^(?:sker\s+)?till\s+", "", block.text(), flags=re.I).rstrip(".")
        if not item.assignments:
            self.proposal.warn(block.line, texts.unread_assignment(f"{block.label}: {to}"))
            return
        item.assignments[-1].report_to = self._names(to, block.line)

    # -- names --------------------------------------------------------------------------------

    def _names(self, raw: str, no: int) -> list[str]:
        """Owners or report-back: organs by short name, people by full name, the rest as
        written (with a warning)."""
        result: list[str] = []
        for part in _split_owner_parts(raw, self._resolvable):
            organ = self._organ_of(part)
            if organ:
                result.append(organ)
                continue
            person = self._person(part, no, strict=True)
            result.append(person or part)
        return list(dict.fromkeys(result))

    def _resolvable(self, text: str) -> bool:
        return bool(self._organ_of(text)) or bool(self._candidates(text))

    def _organ_of(self, text: str) -> str | None:
        key = fold(text.strip().strip(".,"))
        key = re.sub(r"^(?:respektive|resp\.?)\s+", "", key)
        for alias, short in self.known.organs.items():
            if fold(alias) == key:
                return short
        return None

    def _everyone(self) -> list[str]:
        p = self.proposal
        return [x.name for x in (*p.present, *p.absent, *p.guests)]

    def _candidates(self, name: str) -> list[str]:
        key = fold(name.strip())
        if not key:
            return []
        attendance = self._everyone()
        known = list(self.known.people or {})
        for pool in (attendance, known):
            exact = [n for n in pool if fold(n) == key]
            if exact:
                return exact[:1]
        if " " in key:
            return []
        for pool in (attendance, known):
            firsts = list(dict.fromkeys(n for n in pool if fold(n.split()[0]) == key))
            if firsts:
                return firsts
        return []

    def _person(self, name: str, no: int, *, strict: bool) -> str | None:
        """A person's full name. ``strict`` (owners): the person must be a member (a known
        person, when there is a directory); else only first names must be clear."""
        name = _clean_name(name)
        if not name:
            return None
        candidates = self._candidates(name)
        if len(candidates) > 1:
            self.proposal.warn(no, texts.ambiguous_name(name, candidates))
            return name
        if not candidates:
            if strict or " " not in name:
                self.proposal.warn(no, texts.unknown_name(name))
            return name
        full = candidates[0]
        people = self.known.people
        if strict and people is not None and fold(full) not in {fold(n) for n in people}:
            self.proposal.warn(no, texts.unknown_name(full))
        return full

    # -- sessions -----------------------------------------------------------------------------

    def _sessions(self, no: int, sentence: str, *, label: bool = False) -> None:
        p = self.proposal
        if p.date is None:
            return
        if _POSTPONED.search(sentence) and not _NEW_DATE.search(sentence):
            return
        if _PAST.search(sentence):
            return
        scan = sentence
        new_date = _NEW_DATE.search(sentence)
        offset = 0
        if new_date:
            offset = new_date.end()
            scan = sentence[offset:]
        keywords = self._keywords(scan)
        if not keywords and not label:
            return
        for hit in find_dates(scan, p.date, future=True):
            if hit.when.start <= p.date:
                continue
            if not hit.year_written and (hit.when.start - p.date).days > YEARLESS_DAYS:
                continue
            if _DUE_BEFORE.search(scan[: hit.start]):
                continue  # "klart senast 30 maj": a due date, not a session
            nearest = _nearest(keywords, hit) or (("möte", None) if label else None)
            if nearest is None:
                continue
            kind, organ = nearest
            session = Session(
                kind,
                hit.when.start,
                hit.when.end,
                hit.when.start_time,
                hit.when.end_time,
                texts.snippet(_BULLET_MARK.sub("", sentence), 200),
                no,
                organ or p.organ,
            )
            if any(
                (s.kind, s.start_date, s.end_date) == (kind, session.start_date, session.end_date)
                for s in p.sessions
            ):
                continue
            p.sessions.append(session)
            if hit.weekday is not None and hit.weekday != hit.when.start.weekday():
                p.warn(no, texts.wrong_weekday(hit.text, hit.when.start, hit.weekday))
            self._working_day(no, kind.capitalize(), hit.when)

    def _keywords(self, text: str) -> list[tuple[int, int, str, str | None]]:
        """Words that name a session: (start, end, kind, organ if the word is an organ's)."""
        found: list[tuple[int, int, str, str | None]] = []
        taken: list[tuple[int, int]] = []
        for pattern, kind in _SESSION_WORDS:
            for match in pattern.finditer(text):
                if any(a <= match.start() < b for a, b in taken):
                    continue
                taken.append((match.start(), match.end()))
                found.append((match.start(), match.end(), KINDS.get(kind, kind), None))
        folded = fold(text)
        for alias, short in self.known.organs.items():
            key = fold(alias)
            for match in re.finditer(rf"\b{re.escape(key)}\b", folded):
                if not any(a <= match.start() < b for a, b in taken):
                    found.append((match.start(), match.end(), "möte", short))
        return found


def _nearest(
    keywords: list[tuple[int, int, str, str | None]], hit: Found
) -> tuple[str, str | None] | None:
    """The session word nearest before the date (or just after it): (kind, organ)."""
    before = [(hit.start - end, k, o or "") for start, end, k, o in keywords if end <= hit.start]
    after = [(start - hit.end, k, o or "") for start, end, k, o in keywords if start >= hit.end]
    if before:
        distance, kind, organ = min(before)
        if distance <= 60:
            return kind, organ or None
    if after:
        distance, kind, organ = min(after)
        if distance <= 25:
            return kind, organ or None
    return None


# ------------------------------------------------------------------------------- helpers


def _title(text: str) -> str:
    text = _TIME_IN_TITLE.sub("", text).strip()
    return text.rstrip(" .:").strip()


def _continues_title(title: str, text: str) -> bool:
    if _BULLET.match(text) and not text[:1].islower():
        return False
    return text[:1].islower() or title.rstrip().endswith(("–", "-", ",", " och", " samt", " för"))


def _join_title(title: str, text: str) -> str:
    title = title.rstrip()
    if title.endswith(("–", "-")) and title[-2:-1].isdigit():
        return title + text
    return title + " " + text


def _continues_list(attendance: _Attendance, line: Line, same_para: bool) -> bool:
    if not attendance.lines:
        return True
    if _heading(line.text, None) is not None and not _person_like(line.text):
        return False
    if same_para:
        return not line.text.endswith(".") or _person_like(line.text)
    last = attendance.lines[-1][1].rstrip()
    dangling = last.endswith(",") or fold(last.split()[-1]) in {"region", "och", "samt"}
    # a list in rows of its own (a Word table, one paragraph a person) goes on while they look
    # like people
    return dangling or line.text[:1].islower() or _person_like(line.text)


def _person_like(text: str) -> bool:
    first = text.split(",")[0].strip()
    return bool(_name_words(first)) and len(text) <= 80 and not text.rstrip().endswith(".")


def _name_words(text: str) -> bool:
    words = re.sub(r"\(.*?\)", " ", text).split()
    if not 2 <= len(words) <= 6:
        return False
    return all(
        w[:1].isupper() or w in _PARTICLES or w.endswith("-") or fold(w) in {"region"}
        for w in words
    )


def _clean_name(name: str) -> str:
    name = re.sub(r"\((?:[A-ZÅÄÖ]{1,2})\)", " ", name)
    name = re.sub(r"(\w)-\s+(?=[A-ZÅÄÖ])", r"\1-", name)
    name = " ".join(name.split()).strip(" .,:;")
    # leading role words in lower case: "socialchef Karin Lund"
    words = name.split()
    while len(words) > 1 and words[0][:1].islower() and words[0] not in _PARTICLES:
        words.pop(0)
    return " ".join(words)


def _organisation(text: str) -> str | None:
    text = " ".join(text.split()).strip(" ,.;")
    if not text or fold(text) in _NONE_WORDS:
        return None
    return text[:1].upper() + text[1:]


def _is_org(text: str, organisations: list[str]) -> bool:
    key = fold(text.strip())
    if not key:
        return False
    if _org_pattern(key, organisations):
        return True
    words = text.split()
    return any(w[:1].islower() and w not in _PARTICLES for w in words)


def _org_pattern(key: str, organisations: list[str]) -> bool:
    """A known organisation, or one by its form: "Region X", "X kommun", "…förvaltningen"."""
    if key in {fold(o) for o in organisations}:
        return True
    if re.match(r"^(?:region|regionen|landstinget)\b", key):
        return True
    if re.search(r"\b(?:kommun|stad|kommuner|ab|universitet|högskola|hogskola)$", key):
        return True
    return bool(
        re.search(r"(?:universitetet|forvaltningen|namnden|kommunen|regionen|bolaget)$", key)
    )


def _role(text: str) -> bool:
    key = text.strip().lower()
    return any(key == r or key.startswith(r + " ") for r in _ROLES)


def _people(lines: list[str], organisations: list[str]) -> list[Person]:
    """Attendance lines to people: "Anna Berg, Växjö", "Anna Berg (S), ordförande",
    "Anna Berg Växjö, Per Holm Region Kronoberg", "Anna Berg (Växjö)"."""
    chunks: list[str] = []
    for text in lines:
        text = _BULLET_MARK.sub("", text)  # a list's items: "- Anna Berg, Växjö"
        text = re.sub(r"(\w)-\s+(?=[A-ZÅÄÖ])", r"\1-", text)
        parts = [x.strip() for x in re.split(r"[,;]", text)]
        parts = [x for x in parts if x]
        if (
            chunks
            and parts
            and fold(chunks[-1].split()[-1]) in {"region"}
            and len(parts[0].split()) == 1
        ):
            chunks[-1] += " " + parts.pop(0)
        chunks.extend(parts)
    people: list[Person] = []
    open_person: int | None = None  # index of the last person still without organisation
    for chunk in chunks:
        if fold(chunk) in _NONE_WORDS or _role(chunk):
            continue
        if chunk[:1].islower() and not _org_pattern(fold(chunk), organisations):
            continue  # a title: "ekonomichef", "socialchef i Ljungby"
        org_in_parens = None
        paren = re.search(r"\(([^)]*)\)", chunk)
        if paren:
            inside = paren.group(1).strip()
            if inside.upper() not in _PARTIES and not _role(inside):
                org_in_parens = _organisation(inside)
            chunk = (chunk[: paren.start()] + chunk[paren.end() :]).strip()
        words = chunk.split()
        single = len(words) == 1
        if open_person is not None and (
            _is_org(chunk, organisations) or (single and len(people[open_person].name.split()) > 1)
        ):
            people[open_person] = Person(people[open_person].name, _organisation(chunk))
            open_person = None
            continue
        if not words:
            continue
        if " och " in f" {chunk} ":
            names = [x for x in re.split(r"\s+och\s+", chunk) if x]
        else:
            names = [chunk]
        for name_text in names:
            name, org = _split_trailing_org(name_text, organisations)
            name = _clean_name(name)
            if not name:
                continue
            people.append(Person(name, org or org_in_parens))
            open_person = None if (org or org_in_parens) else len(people) - 1
    return people


def _split_trailing_org(text: str, organisations: list[str]) -> tuple[str, str | None]:
    words = text.split()
    for k in (3, 2, 1):
        if len(words) - k < 2:
            continue
        tail = " ".join(words[-k:])
        if fold(tail) in {fold(o) for o in organisations} or re.match(
            r"^(?:region)\s+\S+$|^\S+s? kommun$", tail, re.IGNORECASE
        ):
            return " ".join(words[:-k]), _organisation(tail)
    return text, None


def _split_names(raw: str) -> list[str]:
    parts = re.split(r",|;|\s+och\s+|\s+samt\s+|\s*&\s*", raw)
    return [_clean_name(x) for x in parts if _clean_name(x)]


def _split_owner_parts(raw: str, resolvable: object) -> list[str]:
    check = resolvable if callable(resolvable) else (lambda _t: False)
    raw = re.sub(r"\s+", " ", raw).strip(" .,:;")
    if check(raw):
        return [raw]
    result: list[str] = []
    for part in [x.strip() for x in re.split(r",|;|\s*&\s*", raw) if x.strip()]:
        part = re.sub(r"^(?:och|samt)\s+", "", part)
        if check(part):
            result.append(part)
            continue
        pieces = [x.strip() for x in re.split(r"\s+(?:och|samt)\s+", part) if x.strip()]
        if len(pieces) > 1 and all(
            check(x) or x[:1].isupper() or re.search(r"(?:et|en|na)$", x) for x in pieces
        ):
            result.extend(pieces)
        else:
            result.append(part)
    return result


def _after_separator(text: str) -> str:
    """Who, in "Ledningsgruppen beslutar enligt förslag – Magnus, Roger och Jenny"."""
    for separator in (" – ", " - ", ": ", "; ", " att "):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
    return text.strip(" ,.")


def _strip_decision_label(text: str) -> str:
    return re.sub(r"^beslut\s*:\s*", "", text.strip(), flags=re.IGNORECASE)


def _capital(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _alias_in(text: str, organs: Mapping[str, str]) -> str | None:
    folded = fold(text)
    best: tuple[int, str] | None = None
    for alias, short in organs.items():
        key = fold(alias)
        if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded) and (
            best is None or len(key) > best[0]
        ):
            best = (len(key), short)
    return best[1] if best else None


def _clock(text: str, day: date) -> tuple[time, time | None] | None:
    match = re.search(
        r"\bkl(?:ockan)?\.?\s*\d{1,2}(?:[.:]\d{2})?(?:\s*[–-]\s*\d{1,2}(?:[.:]\d{2})?)?", text
    )
    if not match:
        return None
    try:
        when = parse_when(f"{day.isoformat()} {match.group()}", day)
    except DateError:
        return None
    if when.start_time is None:
        return None
    return when.start_time, when.end_time


# ------------------------------------------------------------------------------------ entry


def propose(source: Source, known: Known, *, today: date, organ: str | None = None) -> Proposal:
    """Read a set of minutes. ``today`` places a meeting date written without a year (the last
    such day); ``organ`` (a short name) wins over what the text says."""
    reader = _Reader(known, organ, today)
    reader.read(_lines(source))
    return reader.finish()
