"""Rules library: documents, published versions, acknowledgements, rules-channel messages.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rules_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("is_template", sa.Boolean(), nullable=False),
        sa.Column("draft_nl", sa.Text(), nullable=True),
        sa.Column("draft_en", sa.Text(), nullable=True),
        sa.Column("draft_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ack_enabled", sa.Boolean(), nullable=False),
        sa.Column("ack_role_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rules_documents"),
        sa.UniqueConstraint(
            "guild_id", "kind", "is_template", name="uq_rules_documents_guild_id_kind_is_template"
        ),
        sa.CheckConstraint(
            "kind IN ('code_of_conduct', 'house_rules')", name="ck_rules_documents_kind"
        ),
    )
    op.create_table(
        "rules_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text_nl", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_note", sa.String(length=500), nullable=False),
        sa.Column("requires_reack", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rules_versions"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["rules_documents.id"],
            name="fk_rules_versions_document_id_rules_documents",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("document_id", "number", name="uq_rules_versions_document_id_number"),
    )
    op.create_table(
        "rules_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rules_acknowledgements"),
        sa.ForeignKeyConstraint(
            ["document_id", "version_number"],
            ["rules_versions.document_id", "rules_versions.number"],
            name="fk_rules_acknowledgements_document_id_rules_versions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "document_id",
            "user_id",
            "version_number",
            name="uq_rules_acknowledgements_document_id_user_id_version_number",
        ),
    )
    op.create_index(
        "ix_rules_acknowledgements_user_id", "rules_acknowledgements", ["user_id"], unique=False
    )
    op.create_table(
        "rules_messages",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "position", name="pk_rules_messages"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["rules_documents.id"],
            name="fk_rules_messages_document_id_rules_documents",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("rules_messages")
    op.drop_index("ix_rules_acknowledgements_user_id", table_name="rules_acknowledgements")
    op.drop_table("rules_acknowledgements")
    op.drop_table("rules_versions")
    op.drop_table("rules_documents")
