"""Cards keep their certificate (DER), to resume an interrupted issuance and show it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24

Additive: a nullable column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cards", sa.Column("certificate_der", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cards") as batch_op:
        batch_op.drop_column("certificate_der")
