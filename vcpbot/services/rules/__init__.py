"""The rules library: drafts, publishing, reading, acknowledgement and templates.

Each association guild has at most one document of each kind. Boards work on a
draft (canonical Markdown per language, see ``vcpbot.services.rules._text``);
publishing freezes the draft into version N+1. Readers only ever see published
versions. Every function takes the caller's session and never commits.

Languages: a version needs text in at least one language. A reader gets the
language they asked for when it exists, otherwise the other one, and the result
says so (``fell_back``) so the cog can tell them.

Acknowledgement: a member acknowledges the latest version. They are up to date
while their latest acknowledgement is at or after the newest version published
with ``requires_reack`` (or any version, when none was).

Templates are documents in the hub guild (``template=True``); an association
adopts one by copying its latest published version into its own draft.
"""

from vcpbot.db.rules import RulesKind
from vcpbot.services.rules._acks import (
    ack_stats,
    ack_status,
    acknowledge,
    acknowledge_published,
    acknowledgeable,
    configure_ack,
    erase_rules_data,
    plan_ack,
)
from vcpbot.services.rules._authoring import (
    MESSAGES_MAX,
    clear_draft,
    diff_versions,
    edit_article,
    edit_intro,
    ensure_document,
    get_document,
    history,
    plan_publish,
    preview,
    publish,
    published_document,
    published_messages,
    record_messages,
    remove_article,
    save_draft,
    upload_draft,
)
from vcpbot.services.rules._common import reading_language
from vcpbot.services.rules._reading import (
    PUBLISHED_TABLES,
    OwnAcks,
    article_of,
    contents_of,
    own_acknowledgements,
    published,
    read_article,
    search,
    search_in,
    table_of_contents,
)
from vcpbot.services.rules._templates import (
    TEMPLATES_DIR,
    adopt_template,
    list_templates,
    seed_um_templates,
)
from vcpbot.services.rules._text import (
    ARTICLE_NUMBER_MAX,
    BODY_MAX,
    TITLE_MAX,
    UPLOAD_MAX_BYTES,
    escape_markdown,
    heading,
    number_ranges,
    paginate,
)
from vcpbot.services.rules._types import (
    AckResult,
    AckStats,
    AckStatus,
    AdoptResult,
    Article,
    ArticleView,
    Contents,
    DocumentInfo,
    DraftPreview,
    DraftSaved,
    Language,
    Published,
    PublishedDocument,
    PublishedMessages,
    PublishPlan,
    RulesText,
    SearchResult,
    TemplateInfo,
    TextDiff,
    TocEntry,
    VersionCount,
    VersionDiff,
    VersionInfo,
    diff_text,
    other_language,
)

__all__ = [
    "ARTICLE_NUMBER_MAX",
    "BODY_MAX",
    "MESSAGES_MAX",
    "PUBLISHED_TABLES",
    "TEMPLATES_DIR",
    "TITLE_MAX",
    "UPLOAD_MAX_BYTES",
    "AckResult",
    "AckStats",
    "AckStatus",
    "AdoptResult",
    "Article",
    "ArticleView",
    "Contents",
    "DocumentInfo",
    "DraftPreview",
    "DraftSaved",
    "Language",
    "OwnAcks",
    "PublishPlan",
    "Published",
    "PublishedDocument",
    "PublishedMessages",
    "RulesKind",
    "RulesText",
    "SearchResult",
    "TemplateInfo",
    "TextDiff",
    "TocEntry",
    "VersionCount",
    "VersionDiff",
    "VersionInfo",
    "ack_stats",
    "ack_status",
    "acknowledge",
    "acknowledge_published",
    "acknowledgeable",
    "adopt_template",
    "article_of",
    "clear_draft",
    "configure_ack",
    "contents_of",
    "diff_text",
    "diff_versions",
    "edit_article",
    "edit_intro",
    "ensure_document",
    "erase_rules_data",
    "escape_markdown",
    "get_document",
    "heading",
    "history",
    "list_templates",
    "number_ranges",
    "other_language",
    "own_acknowledgements",
    "paginate",
    "plan_ack",
    "plan_publish",
    "preview",
    "publish",
    "published",
    "published_document",
    "published_messages",
    "read_article",
    "reading_language",
    "record_messages",
    "remove_article",
    "save_draft",
    "search",
    "search_in",
    "seed_um_templates",
    "table_of_contents",
    "upload_draft",
]
