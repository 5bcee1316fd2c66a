"""The bot's own messages about a case: where they are, sealed, so they can be edited,
linked to, and deleted when the case is destroyed.

A message id is a snowflake that tells the millisecond it was posted, so its
reference is sealed with the case key (``escalation_posts.ref``): the database
alone tells no time of day, and once retention destroys the case key, no copy of
the reference (a backup, a WAL frame, a dead tuple) can be opened.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vcpbot.db.escalation import Case, Place, Post, PostKind
from vcpbot.services.escalation._core import open_for, seal_for
from vcpbot.services.escalation._types import EscalationConfig, MessageRef, PostView

# Card references copied by migration 0010, which has no keys; sealed at the next upkeep.
LEGACY_PREFIX = b"unsealed:"


def _purpose(kind: PostKind, place: Place) -> str:
    return f"post:{kind.value}:{place.value}"


def _seal(
    config: EscalationConfig, case: Case, kind: PostKind, place: Place, ref: MessageRef
) -> bytes:
    text = f"{ref.channel_id}:{ref.message_id}"
    return seal_for(config, case, text, _purpose(kind, place))


def _open(config: EscalationConfig, case: Case, post: Post) -> MessageRef:
    if post.ref.startswith(LEGACY_PREFIX):
        text = post.ref[len(LEGACY_PREFIX) :].decode()
    else:
        text = open_for(config, case, post.ref, _purpose(PostKind(post.kind), Place(post.place)))
    channel, message = text.split(":")
    return MessageRef(int(channel), int(message))


async def record_post(
    session: AsyncSession,
    config: EscalationConfig,
    case: Case,
    *,
    kind: PostKind,
    place: Place,
    ref: MessageRef,
) -> None:
    """Keep a message the bot posted about ``case``; a case has one card per place."""
    post = None
    if kind is PostKind.CARD:
        post = await session.scalar(
            select(Post).where(
                Post.case_id == case.id, Post.kind == kind.value, Post.place == place.value
            )
        )
    if post is None:
        post = Post(case_id=case.id, kind=kind.value, place=place.value)
        session.add(post)
    post.ref = _seal(config, case, kind, place, ref)
    await session.flush()


async def card_ref(
    session: AsyncSession, config: EscalationConfig, case: Case, place: Place
) -> MessageRef | None:
    """The case's card in this place, to edit or link to; None while it is not posted."""
    post = await session.scalar(
        select(Post).where(
            Post.case_id == case.id, Post.kind == PostKind.CARD.value, Post.place == place.value
        )
    )
    return None if post is None else _open(config, case, post)


async def posts_of(session: AsyncSession, config: EscalationConfig, case: Case) -> list[PostView]:
    rows = await session.scalars(select(Post).where(Post.case_id == case.id).order_by(Post.id))
    return [
        PostView(PostKind(post.kind), Place(post.place), _open(config, case, post))
        for post in rows.all()
    ]


async def seal_legacy_posts(session: AsyncSession, *, config: EscalationConfig) -> int:
    """Seal the card references migration 0010 could only copy; returns how many."""
    posts = (await session.scalars(select(Post))).all()  # a few per open case, once a day
    rows = [post for post in posts if post.ref.startswith(LEGACY_PREFIX)]
    for post in rows:
        case = await session.get(Case, post.case_id)
        if case is not None:
            ref = _open(config, case, post)
            post.ref = _seal(config, case, PostKind(post.kind), Place(post.place), ref)
    await session.flush()
    return len(rows)
