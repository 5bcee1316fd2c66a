"""What the people in the benchmark do: read, acknowledge, log a contact, answer an
invitation, escalate, and an evening's mix of all of it.

Every act starts an interaction without waiting for the bot (``wait=False``); a
measured interaction is watched by the ``Observer`` from its dispatch. The same
acts drive the real bot and the baseline; a ``Tally`` keeps what the real bot
was asked to store, for counting in the database afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from benchmarks.load import Act, Observer, Sample
from benchmarks.world import ACK_ID, RSVP_PREFIX, BenchWorld, gather_limited, rules_post
from discord_emulator import Emulator
from discord_emulator.driver import InteractionResult, Person
from discord_emulator.entities import Message, User
from discord_emulator.interactions import Interaction, Modal, Response
from vcpbot.crypto import format_receipt, new_receipt

# (label, command, options): the read paths of issue 10.
READ_CLASSES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("/help", "help", {}),
    ("/rules", "rules", {}),
    ("/rules article:1", "rules", {"article": 1}),
    ("/rules search:alcohol", "rules", {"search": "alcohol"}),
)
ACK_LABEL = "rules ack (button)"
KMTM_LABEL = "kmtm log (submit)"
RSVP_LABEL = "intervisie RSVP (button)"
ESCALATION_LABEL = "escalation submit"
RECEIPT_LABEL = "escalation submit (to receipt)"
GUESS_LABEL = "/my-case wrong receipt"
GUESS_ANSWER_LABEL = "/my-case wrong receipt (to answer)"
BESIDE_GUESSES_LABEL = "rules ack beside the guesses"
EVENING_LABELS = {
    "read": "evening: reads",
    "write": "evening: kmtm log (form, submit)",
    "escalation": "evening: escalation (3 steps)",
    "all": "evening: every interaction",
}

KMTM_CHOICES = (
    ("sexual_physical", "student", "referred_um_team"),
    ("unprofessional", "staff_academic", "listening_ear"),
    ("intimidation", "civilian", "referred_inside_um"),
    ("advice", "unknown", "nothing_yet"),
    ("bullying", "student", "referred_outside_um"),
)
ESCALATION_CATEGORIES = ("intimidation", "unprofessional", "discrimination", "stalking")
NARRATIVE = (
    "At the gala a board member kept pressuring first-years to drink, and two of them "
    "asked me not to tell the board who they are."
)
ANSWERS = ("yes", "no", "maybe")
# Each pseudonym may start this many cases a day (EscalationSettings.cases_per_day).
CASES_PER_REPORTER = 3
# A step of a flow waits this long for the bot's answer (Discord's deadline is 3 s).
STEP_TIMEOUT_S = 3.5
# What a person takes to read an answer before pressing on, or to fill in a form. Real
# people take longer; it must exceed the time the bot needs to register the buttons or
# form it just showed (discord.py does that once Discord has accepted its answer), or the
# press arrives first and finds nothing listening.
THINK_S = 2.0
# The same before the measured cells, when the bot has nothing else to do.
QUIET_THINK_S = 0.5
# How long a submitted report may take to show its receipt.
RECEIPT_TIMEOUT_S = 15.0
# Forms opened at once before a write cell.
OPEN_CONCURRENCY = 10


@dataclass
class Tally:
    """The writes the bot was asked to make (each press or submit's interaction), to find in
    its database afterwards."""

    acks: list[Interaction] = field(default_factory=list)
    kmtm: list[Interaction] = field(default_factory=list)
    cases: list[Interaction] = field(default_factory=list)
    # Who answered an invitation: what they pressed last, and that press.
    rsvp: dict[int, tuple[str, Interaction]] = field(default_factory=dict)


class People:
    """Who acts next, for one bot's run: each acknowledger once, reporters three times each,
    VCPs and students in turn."""

    def __init__(self, em: Emulator, bench: BenchWorld) -> None:
        self.em = em
        self.bench = bench
        self.writers: Iterator[User] = iter(bench.writers)
        self.reporters: Iterator[User] = (
            r for r in bench.reporters for _ in range(CASES_PER_REPORTER)
        )
        self.guessers: Iterator[User] = iter(bench.guessers)
        self._vcps = itertools.cycle(bench.vcps) if bench.vcps else iter(())
        self._readers = itertools.cycle([em.person(u) for u in bench.students])

    def vcp(self) -> Person:
        return self.em.person(next(self._vcps), timeout=STEP_TIMEOUT_S)

    def reader(self) -> Person:
        return next(self._readers)

    def reporter(self) -> Person:
        return self.em.person(next(self.reporters), timeout=STEP_TIMEOUT_S)

    def guesser(self) -> Person:
        return self.em.person(next(self.guessers), timeout=STEP_TIMEOUT_S)


# --- reads and the acknowledgement -------------------------------------------------------


def reader(people: People, command: str, options: dict[str, Any]) -> Act:
    guild = people.bench.association.guild

    async def act(_: int) -> InteractionResult:
        return await people.reader().slash(guild, command, dict(options), wait=False)

    return act


def acknowledger(people: People, tally: Tally) -> Act:
    post = rules_post(people.em, people.bench)

    async def act(_: int) -> InteractionResult:
        writer = people.em.person(next(people.writers))
        result = await writer.press(post, custom_id=ACK_ID, wait=False)
        tally.acks.append(result.interaction)
        return result

    return act


# --- KMTM: the form opens first, then the measured submit ----------------------------------


async def open_kmtm_forms(people: People, count: int) -> list[tuple[Person, Modal]]:
    """``count`` VCPs run ``/kmtm log`` and get the form (not measured)."""
    guild = people.bench.association.guild
    forms: list[tuple[Person, Modal]] = []

    async def open_one(person: Person) -> None:
        forms.append((person, await open_kmtm_form(person, guild)))

    await gather_limited(open_one, [people.vcp() for _ in range(count)], limit=OPEN_CONCURRENCY)
    await asyncio.sleep(QUIET_THINK_S)  # the last form is not submitted the same instant
    return forms


async def open_kmtm_form(person: Person, guild: Any) -> Modal:
    response = await (await person.slash(guild, "kmtm", subcommand="log")).wait()
    if response.modal is None:
        text = response.message.text if response.message else response.kind
        raise RuntimeError(f"/kmtm log did not open the form: {text!r}")
    return response.modal


def kmtm_values(i: int) -> dict[str, str]:
    category, relation, follow_up = KMTM_CHOICES[i % len(KMTM_CHOICES)]
    return {"category": category, "relation": relation, "follow_up": follow_up}


def kmtm_submitter(forms: list[tuple[Person, Modal]], tally: Tally) -> Act:
    async def act(i: int) -> InteractionResult:
        person, modal = forms[i]
        result = await person.submit(modal, kmtm_values(i), wait=False)
        tally.kmtm.append(result.interaction)
        return result

    return act


# --- intervisie: answering an invitation --------------------------------------------------


def rsvp_presser(people: People, tally: Tally, offset: int) -> Act:
    """Invitees in turn, each answer differing from the same person's previous one."""
    invitees = [u for u in people.bench.vcps if u.id in people.bench.invitations]

    async def act(i: int) -> InteractionResult:
        n = offset + i
        user = invitees[n % len(invitees)]
        answer = ANSWERS[(n + n // len(invitees)) % len(ANSWERS)]
        message = people.bench.invitations[user.id]
        result = await people.em.person(user).press(
            message, custom_id=answer_id(message, answer), wait=False
        )
        tally.rsvp[user.id] = (answer, result.interaction)
        return result

    return act


def answer_id(message: Message, answer: str) -> str:
    prefix = f"{RSVP_PREFIX}{answer}:"
    return next(b["custom_id"] for b in message.buttons if b["custom_id"].startswith(prefix))


# --- escalation: the explanation, Continue, the form, and the measured submit --------------


async def open_escalation_forms(people: People, count: int) -> list[tuple[Person, Modal]]:
    guild = people.bench.association.guild
    forms: list[tuple[Person, Modal]] = []

    async def open_one(person: Person) -> None:
        forms.append((person, await open_escalation_form(person, guild)))

    reporters = [people.reporter() for _ in range(count)]
    await gather_limited(open_one, reporters, limit=OPEN_CONCURRENCY)
    await asyncio.sleep(QUIET_THINK_S)
    return forms


async def open_escalation_form(person: Person, guild: Any) -> Modal:
    intro = (await (await person.slash(guild, "report")).wait()).message
    if intro is None or not intro.buttons:
        raise RuntimeError(f"/report showed no Continue button: {intro and intro.text!r}")
    await asyncio.sleep(QUIET_THINK_S)
    pressed = await person.press(intro, custom_id=intro.buttons[0]["custom_id"])
    modal = (await pressed.wait()).modal
    if modal is None:
        raise RuntimeError("Continue did not open the escalation form")
    return modal


def escalation_values(i: int) -> dict[str, str]:
    return {
        "category": ESCALATION_CATEGORIES[i % len(ESCALATION_CATEGORIES)],
        "urgency": "routine" if i % 2 else "soon",
        "text": NARRATIVE,
        "shown": "yes",
    }


class EscalationSubmitter:
    """Submits the opened forms; also times each until its receipt (or fixed answer) shows."""

    def __init__(
        self, em: Emulator, forms: list[tuple[Person, Modal]], tally: Tally, receipts: Sample
    ) -> None:
        self.em = em
        self.forms = forms
        self.tally = tally
        self.receipts = receipts
        self.waiting: list[asyncio.Task[None]] = []

    async def act(self, i: int) -> InteractionResult:
        person, modal = self.forms[i]
        result = await person.submit(modal, escalation_values(i), wait=False)
        self.tally.cases.append(result.interaction)
        self.receipts.sent += 1
        self.waiting.append(asyncio.create_task(self._receipt(result.interaction)))
        return result

    async def _receipt(self, interaction: Interaction) -> None:
        shown_after = await until_shown(self.em, interaction, RECEIPT_TIMEOUT_S)
        if shown_after is not None:
            self.receipts.latencies.append(shown_after)

    async def finished(self) -> None:
        await asyncio.gather(*self.waiting)


def shown(interaction: Interaction) -> bool:
    """The person sees the answer itself: a message, or what filled in a deferral."""
    response = interaction.response
    if response is None:
        return False
    if response.kind in ("message", "update"):
        return True
    return interaction.original_edits > 0 or bool(interaction.followups)


async def until_shown(em: Emulator, interaction: Interaction, within: float) -> float | None:
    """Seconds from the interaction's dispatch until its answer shows; None if it never did."""
    try:
        await em.world.wait_for(lambda: shown(interaction), within=within, what="the answer")
    except AssertionError:
        return None
    return time.monotonic() - interaction.created


# --- guessing receipts: /my-case with a receipt that does not exist -------------------------


class Guesser:
    """Each act: another account tries a receipt of the right shape that matches no case, in
    its DM with the bot; also times each until its answer ("not found") shows."""

    def __init__(self, em: Emulator, people: People, answers: Sample) -> None:
        self.em = em
        self.people = people
        self.answers = answers
        self.waiting: list[asyncio.Task[None]] = []

    async def act(self, _: int) -> InteractionResult:
        receipt = format_receipt(new_receipt())
        result = await self.people.guesser().slash(
            None, "my-case", {"receipt": receipt}, wait=False
        )
        self.answers.sent += 1
        self.waiting.append(asyncio.create_task(self._answer(result.interaction)))
        return result

    async def _answer(self, interaction: Interaction) -> None:
        shown_after = await until_shown(self.em, interaction, RECEIPT_TIMEOUT_S)
        if shown_after is not None:
            self.answers.latencies.append(shown_after)

    async def finished(self) -> None:
        await asyncio.gather(*self.waiting)


# --- the KMTM evening: 90% reads, 8% KMTM logs, 2% escalations ----------------------------


def evening_kind(i: int) -> str:
    """Of every 50 flows: 45 reads, 4 KMTM logs and 1 escalation, spread evenly."""
    slot = i % 50
    if slot == 25:
        return "escalation"
    if slot in (5, 17, 30, 42):
        return "write"
    return "read"


class Evening:
    """One person's flow per start; every step's interaction is measured."""

    def __init__(
        self, observer: Observer, people: People, tally: Tally, samples: dict[str, Sample]
    ) -> None:
        self.observer = observer
        self.people = people
        self.tally = tally
        self.samples = samples
        self.guild = people.bench.association.guild

    def _watch(self, kind: str, result: InteractionResult) -> Interaction:
        self.observer.watch(result.interaction, self.samples[kind], self.samples["all"])
        return result.interaction

    async def _answer(self, interaction: Interaction) -> Response | None:
        """The bot's answer to a step, or None when there was none in time."""
        try:
            await asyncio.wait_for(self.observer.answered(interaction), STEP_TIMEOUT_S)
        except TimeoutError:
            return None
        return interaction.response

    async def flow(self, i: int) -> None:
        kind = evening_kind(i)
        if kind == "read":
            _, command, options = READ_CLASSES[i % len(READ_CLASSES)]
            person = self.people.reader()
            self._watch(kind, await person.slash(self.guild, command, dict(options), wait=False))
        elif kind == "write":
            await self._log_contact(i)
        else:
            await self._escalate(i)

    async def _log_contact(self, i: int) -> None:
        person = self.people.vcp()
        opened = await self._answer(
            self._watch(
                "write", await person.slash(self.guild, "kmtm", subcommand="log", wait=False)
            )
        )
        if opened is None or opened.modal is None:
            return  # unanswered (counted as lost where it was watched), or refused
        await asyncio.sleep(THINK_S)
        submitted = await person.submit(opened.modal, kmtm_values(i), wait=False)
        self.tally.kmtm.append(self._watch("write", submitted))

    async def _escalate(self, i: int) -> None:
        person = self.people.reporter()
        started = await self._answer(
            self._watch("escalation", await person.slash(self.guild, "report", wait=False))
        )
        intro = None if started is None else started.message
        if intro is None or not intro.buttons:
            return
        await asyncio.sleep(THINK_S)
        pressed = await self._answer(
            self._watch(
                "escalation",
                await person.press(intro, custom_id=intro.buttons[0]["custom_id"], wait=False),
            )
        )
        if pressed is None or pressed.modal is None:
            return
        await asyncio.sleep(THINK_S)
        submitted = await person.submit(pressed.modal, escalation_values(i), wait=False)
        self.tally.cases.append(self._watch("escalation", submitted))
