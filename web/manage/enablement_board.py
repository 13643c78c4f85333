"""The enablement board (/manage/enablement) and its CSV export: every partner with a plan, how
far it is, what is overdue and what comes next (web/enablement/board.py reads it)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import render_template, request
from flask_babel import gettext

from web.csv_export import csv_response
from web.database import db
from web.directory.queries import country_label, partner_type_label
from web.enablement.board import BOARD, BoardRow, board_page, board_rows
from web.enablement.texts import item_title, stage_title
from web.labels import ROLE_LABELS, label
from web.manage import bp


def owner_label(owner: str) -> str:
    """The next item's owner: a person's name as it is, a role ("partner_admin") by its name."""
    return label(ROLE_LABELS, owner) if owner in ROLE_LABELS else owner


def next_title(row: BoardRow) -> str:
    return item_title(row.plan_id, row.plan_version, row.next_item_key, row.next_title) \
        if row.next_item_key else ""


def row_stage(row: BoardRow) -> str:
    return stage_title(row.plan_id, row.plan_version, row.stage)


@bp.get("/enablement")
def enablement_board():
    query = BOARD.parse(request.args)
    page = board_page(db(), query)
    return render_template("manage/enablement_board.html", query=query, page=page,
                           now=datetime.now(timezone.utc), next_title=next_title,
                           row_stage=row_stage, owner_label=owner_label,
                           country_label=country_label, partner_type_label=partner_type_label)


@bp.get("/enablement/export.csv")
def enablement_export():
    """The board as the page shows it (same search, filters and order), every page of it."""
    query = BOARD.parse(request.args)
    now = datetime.now(timezone.utc)
    header = [gettext("Partner"), gettext("Reference"), gettext("Stage"),
              gettext("Required tasks done"), gettext("Required tasks"), gettext("Percent done"),
              gettext("Overdue"), gettext("Next due"), gettext("Owner"), gettext("Due"),
              gettext("Days since activation"), gettext("Channel manager"), gettext("Country"),
              gettext("Partner type")]

    def rows():
        for r in board_rows(db(), query):
            yield [r.name, r.reference, row_stage(r), r.required_done, r.required_total,
                   r.percent, r.overdue, next_title(r), owner_label(r.next_owner), r.next_due_at,
                   r.days_active(now), r.manager, country_label(r.country),
                   partner_type_label(r.partner_type)]

    return csv_response(f"enablement-{now.strftime('%Y%m%d-%H%M')}.csv", header, rows())
