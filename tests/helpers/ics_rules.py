"""The rules of RFC 5545 that decide whether a calendar program takes an .ics file, checked
on the raw bytes (a helper module for the tests, not a test file).

icalendar parses leniently and writes what it is given, so it cannot be the judge of
its own output. These checks are written from the RFC: CRLF line ends (3.1), content
lines folded at 75 octets without splitting a UTF-8 character (3.1), one VCALENDAR
with PRODID and VERSION:2.0 and at most one METHOD (3.6, 3.7), the required and
at-most-once properties of VEVENT (3.6.1) and VTIMEZONE with its STANDARD and
DAYLIGHT parts (3.6.5), DTSTAMP in UTC (3.8.7.2), TEXT values escaped (3.3.11),
every TZID parameter pointing at a VTIMEZONE in the file (3.2.19), and each UID once
per file (there are no recurrence overrides here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FOLD_OCTETS = 75
_NAME = re.compile(r"^[A-Za-z0-9-]+$")
_PARAM = re.compile(r'^([A-Za-z0-9-]+)=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*$')
_UTC_DATETIME = re.compile(r"^\d{8}T\d{6}Z$")
_LOCAL_DATETIME = re.compile(r"^\d{8}T\d{6}$")
_OFFSET = re.compile(r"^[+-]\d{4}(\d{2})?$")
_TEXT_PROPERTIES = frozenset({"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "TZNAME"})

# RFC 5545 3.6.1: VEVENT. UID and DTSTAMP are required; DTSTART too when the calendar
# has no METHOD, and these files always carry one, so it is required here as well.
EVENT_REQUIRED = ("UID", "DTSTAMP", "DTSTART")
EVENT_ONCE = (
    "UID", "DTSTAMP", "DTSTART", "CLASS", "CREATED", "DESCRIPTION", "GEO", "LAST-MODIFIED",
    "LOCATION", "ORGANIZER", "PRIORITY", "SEQUENCE", "STATUS", "SUMMARY", "TRANSP", "URL",
    "RECURRENCE-ID", "DTEND", "DURATION",
)  # fmt: skip
EVENT_STATUS = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})
ZONE_PART_REQUIRED = ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO")
ALLOWED_CHILDREN = {
    "VCALENDAR": {"VEVENT", "VTIMEZONE"},
    "VEVENT": {"VALARM"},
    "VTIMEZONE": {"STANDARD", "DAYLIGHT"},
    "STANDARD": set(),
    "DAYLIGHT": set(),
    "VALARM": set(),
}


@dataclass
class Line:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    lines: list[Line] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def all(self, name: str) -> list[Line]:
        return [line for line in self.lines if line.name == name]

    def walk(self) -> list[Component]:
        found = [self]
        for child in self.children:
            found += child.walk()
        return found


def problems(data: bytes) -> list[str]:
    """Every broken rule, as readable lines; empty when the file is fine."""
    found = _physical_lines(data)
    if found:
        return found
    try:
        root = _tree(_content_lines(data))
    except ValueError as exc:
        return [str(exc)]
    return _calendar(root) + _events(root) + _zones(root) + _references(root) + _texts(root)


def _physical_lines(data: bytes) -> list[str]:
    found = []
    if not data.endswith(b"\r\n"):
        found.append("the file does not end with CRLF")
    body = data[:-2] if data.endswith(b"\r\n") else data
    for number, raw in enumerate(body.split(b"\r\n"), 1):
        if b"\n" in raw or b"\r" in raw:
            found.append(f"line {number}: a bare LF or CR instead of CRLF")
        if len(raw) > FOLD_OCTETS:
            found.append(f"line {number}: {len(raw)} octets, longer than {FOLD_OCTETS}")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            found.append(f"line {number}: not UTF-8 on its own (a fold splits a character)")
        if not raw:
            found.append(f"line {number}: empty")
    return found


def _content_lines(data: bytes) -> list[Line]:
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return [_parse(raw) for raw in text.split("\r\n") if raw]


def _parse(raw: str) -> Line:
    head, colon, value = _split_value(raw)
    if not colon:
        raise ValueError(f"not a content line (no colon): {raw[:40]!r}")
    name, *params = _split_params(head)
    if not _NAME.match(name):
        raise ValueError(f"bad property name {name!r}")
    parsed = {}
    for param in params:
        if not _PARAM.match(param):
            raise ValueError(f"{name}: bad parameter {param!r}")
        key, _, param_value = param.partition("=")
        parsed[key.upper()] = param_value.strip('"')
    return Line(name.upper(), parsed, value)


def _split_value(raw: str) -> tuple[str, str, str]:
    """Split at the first colon outside a quoted parameter value."""
    quoted = False
    for index, char in enumerate(raw):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return raw[:index], ":", raw[index + 1 :]
    return raw, "", ""


def _split_params(head: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in head:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _tree(lines: list[Line]) -> Component:
    stack: list[Component] = []
    root: Component | None = None
    for line in lines:
        if line.name == "BEGIN":
            component = Component(line.value.upper())
            if stack:
                if component.name not in ALLOWED_CHILDREN.get(stack[-1].name, set()):
                    raise ValueError(f"{component.name} may not be inside {stack[-1].name}")
                stack[-1].children.append(component)
            elif root is not None:
                raise ValueError("more than one VCALENDAR in the file")
            else:
                root = component
            stack.append(component)
        elif line.name == "END":
            if not stack or stack[-1].name != line.value.upper():
                raise ValueError(f"END:{line.value} does not close the open component")
            stack.pop()
        elif not stack:
            raise ValueError(f"{line.name} outside any component")
        else:
            stack[-1].lines.append(line)
    if root is None or stack:
        raise ValueError("the VCALENDAR is missing or not closed")
    if root.name != "VCALENDAR":
        raise ValueError(f"the file starts with {root.name}, not VCALENDAR")
    return root


def _once(component: Component, required: tuple[str, ...], once: tuple[str, ...]) -> list[str]:
    found = [f"{component.name}: {n} is required" for n in required if not component.all(n)]
    found += [f"{component.name}: {n} more than once" for n in once if len(component.all(n)) > 1]
    return found


def _calendar(root: Component) -> list[str]:
    found = _once(
        root, ("PRODID", "VERSION", "METHOD"), ("PRODID", "VERSION", "METHOD", "CALSCALE")
    )
    if [line.value for line in root.all("VERSION")] not in ([], ["2.0"]):
        found.append("VCALENDAR: VERSION must be 2.0")
    if [line.value for line in root.all("CALSCALE")] not in ([], ["GREGORIAN"]):
        found.append("VCALENDAR: CALSCALE other than GREGORIAN")
    if not any(child.name == "VEVENT" for child in root.children):
        found.append("VCALENDAR: no VEVENT")
    return found


def _events(root: Component) -> list[str]:
    found = []
    uids: list[str] = []
    for event in (c for c in root.children if c.name == "VEVENT"):
        found += _once(event, EVENT_REQUIRED, EVENT_ONCE)
        if event.all("DTEND") and event.all("DURATION"):
            found.append("VEVENT: DTEND and DURATION together")
        for stamp in event.all("DTSTAMP"):
            if not _UTC_DATETIME.match(stamp.value):
                found.append(f"VEVENT: DTSTAMP {stamp.value!r} is not a UTC date-time")
        for status in event.all("STATUS"):
            if status.value not in EVENT_STATUS:
                found.append(f"VEVENT: STATUS {status.value!r} is not an event status")
        for sequence in event.all("SEQUENCE"):
            if not sequence.value.isdigit():
                found.append(f"VEVENT: SEQUENCE {sequence.value!r} is not a whole number")
        uids += [line.value for line in event.all("UID")]
    found += [f"UID {uid!r} more than once" for uid in sorted(set(uids)) if uids.count(uid) > 1]
    return found


def _zones(root: Component) -> list[str]:
    found = []
    for zone in (c for c in root.children if c.name == "VTIMEZONE"):
        found += _once(zone, ("TZID",), ("TZID", "LAST-MODIFIED", "TZURL"))
        if not zone.children:
            found.append("VTIMEZONE: needs a STANDARD or DAYLIGHT part")
        for part in zone.children:
            found += _once(part, ZONE_PART_REQUIRED, ZONE_PART_REQUIRED)
            for start in part.all("DTSTART"):
                if not _LOCAL_DATETIME.match(start.value) or start.params:
                    found.append(f"{part.name}: DTSTART {start.value!r} must be local time")
            for offset in part.all("TZOFFSETFROM") + part.all("TZOFFSETTO"):
                if not _OFFSET.match(offset.value):
                    found.append(f"{part.name}: bad offset {offset.value!r}")
    return found


def _references(root: Component) -> list[str]:
    defined = {line.value for zone in root.children for line in zone.all("TZID")}
    used = {
        line.params["TZID"]
        for component in root.walk()
        for line in component.lines
        if "TZID" in line.params
    }
    return [f"TZID {tzid!r} has no VTIMEZONE in the file" for tzid in sorted(used - defined)]


def _texts(root: Component) -> list[str]:
    """TEXT values: backslash only before \\ ; , n N, and no bare ; or , (3.3.11)."""
    found = []
    for component in root.walk():
        for line in component.lines:
            if line.name in _TEXT_PROPERTIES and not _escaped(line.value):
                found.append(f"{component.name}: {line.name} is not escaped as TEXT")
    return found


def _escaped(value: str) -> bool:
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            if index + 1 >= len(value) or value[index + 1] not in "\\;,nN":
                return False
            index += 2
            continue
        if char in ";,":
            return False
        index += 1
    return True
