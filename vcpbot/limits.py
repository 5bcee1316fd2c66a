"""Discord's size limits, each under one name, and the one way to shorten text to fit them.

Discord answers 400 (Invalid Form Body) to a message, embed, component or form that is
one character too long, so every cog shortens what it shows with these names rather
than with numbers of its own (tests/test_architecture.py checks it). The emulator keeps
its own copy of the limits on purpose (harness/discord_emulator/limits.py): an
independent oracle catches a wrong number here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# Messages
MESSAGE_CONTENT_MAX = 2000  # characters in a message's content
MESSAGE_EMBEDS_MAX = 10  # embeds in one message
MESSAGE_FILES_MAX = 10  # attachments in one message
MESSAGE_ACTION_ROWS_MAX = 5  # rows of components under one message
HISTORY_PAGE_MAX = 100  # messages one channel-history request returns

# Embeds
EMBEDS_TOTAL_MAX = 6000  # characters across all embeds of one message together
EMBED_TITLE_MAX = 256  # characters in an embed's title
EMBED_DESCRIPTION_MAX = 4096  # characters in an embed's description
EMBED_FIELDS_MAX = 25  # fields in one embed
FIELD_NAME_MAX = 256  # characters in a field's name
FIELD_VALUE_MAX = 1024  # characters in a field's value

# Components
BUTTON_LABEL_MAX = 80  # characters on a button
SELECT_OPTIONS_MAX = 25  # options in one select menu
SELECT_OPTION_TEXT_MAX = 100  # characters in an option's label, value or description

# Forms (modals)
MODAL_TITLE_MAX = 45  # characters in a form's title
FILE_UPLOAD_MAX = 10  # files one file-upload field of a form may take
TEXT_INPUT_MAX = 4000  # characters someone may type into one text input
PLACEHOLDER_MAX = 100  # characters in a text input's placeholder
LABEL_DESCRIPTION_MAX = 100  # characters in the description under a form label

# Slash commands
AUTOCOMPLETE_CHOICES_MAX = 25  # suggestions one autocomplete answer may offer
CHOICE_NAME_MAX = 100  # characters in one suggestion's name

# Guilds and scheduled events
GUILD_NAME_MAX = 100  # characters in a server's name
EVENT_NAME_MAX = 100  # characters in a scheduled event's name
EVENT_LOCATION_MAX = 100  # characters in an external event's location
EVENT_DESCRIPTION_MAX = 1000  # characters in a scheduled event's description

ELLIPSIS = "…"


def clip(text: str, limit: int, *, at_space: bool = False) -> str:
    """``text`` when it fits in ``limit`` characters, else shortened with an ellipsis.

    ``at_space`` cuts at the last space in the second half, so a title does not end
    in half a word.
    """
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1) if at_space else -1
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + ELLIPSIS


def clip_lines(lines: Sequence[str], limit: int, more: Callable[[int], str]) -> str:
    """Whole lines up to ``limit`` characters, then ``more(n)``: a count of what was left out."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        tail = more(len(lines) - index)
        if used + len(line) + 1 + len(tail) > limit:
            kept.append(tail)
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)
