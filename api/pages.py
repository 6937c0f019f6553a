"""Pagination shared by list endpoints: the query arguments, the page envelope and the query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import marshmallow as ma
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


class PageArgs(ma.Schema):
    """`page` (from 1) and `page_size` (at most 100)."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10000))
    page_size = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page envelope of `item`s: items, total, page, page_size."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item)),
            "total": ma.fields.Integer(),
            "page": ma.fields.Integer(),
            "page_size": ma.fields.Integer(),
        },
        name=name,
    )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows and how many match in all."""

    items: list[T]
    total: int
    page: int
    page_size: int


def paginate(session: Session, query: Select, page: int, page_size: int) -> Page:
    """Run `query` (already ordered) for one page, and count every match."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(query.offset((page - 1) * page_size).limit(page_size)).all()
    return Page(list(items), total, page, page_size)
