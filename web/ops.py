"""Ops pages (placeholder module owned by the ops/devstack work; replaced shortly)."""

from flask import Blueprint

bp = Blueprint("ops", __name__, url_prefix="/ops")
