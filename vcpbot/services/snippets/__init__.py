"""Saved replies ("snippets"): a desk's own wording to start a reply from, in Dutch and
English, managed by that desk's handlers with ``/snippets``.

A desk is the UM team (``desk=None``) or one association's VCPs (``desk`` is the
association's id); the escalation cog decides which desk the person acting is, and the
Reply form starts from a snippet in the reporter's language. ``_snippets`` does the
work; ``_types`` holds what it hands back. Snippets are team text: no case, no person,
no Discord id, so they are plain text, deleted with their association.
"""

from vcpbot.db.snippets import SNIPPET_NAME_MAX
from vcpbot.services.snippets._snippets import (
    SNIPPET_TEXT_MAX,
    add_snippet,
    clean_name,
    edit_snippet,
    find_snippet,
    list_snippets,
    remove_snippet,
    snippet_by_id,
)
from vcpbot.services.snippets._types import Snippet, SnippetList

__all__ = [
    "SNIPPET_NAME_MAX",
    "SNIPPET_TEXT_MAX",
    "Snippet",
    "SnippetList",
    "add_snippet",
    "clean_name",
    "edit_snippet",
    "find_snippet",
    "list_snippets",
    "remove_snippet",
    "snippet_by_id",
]
