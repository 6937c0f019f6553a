"""Pages of a list, written once: the query parameters, the response envelope and the offset arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import marshmallow as ma
from marshmallow import validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PAGE, MAX_PAGE_SIZE = 10_000, 100


class PageQuerySchema(ma.Schema):
    """`page` (from 1) and `page_size` (up to 100; a subclass may change the default of 20)."""

    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageSchema(ma.Schema):
    """The envelope of one page; a subclass declares `items`."""

    total = ma.fields.Integer()
    page = ma.fields.Integer()
    page_size = ma.fields.Integer()


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items, which page it is, and how many items there are in all."""

    items: list[T]
    total: int
    page: int
    page_size: int

    def with_items(self, items: list[Any]) -> Page[Any]:
        """The same page holding other items (e.g. the views of these)."""
        return Page(items, self.total, self.page, self.page_size)


def offset(page: int, page_size: int) -> int:
    """How many items come before `page`."""
    return (page - 1) * page_size


def paginate(session: Session, query: Select[T], page: int, page_size: int) -> Page[T]:
    """One page of an ordered query's rows, and the count of all of them."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.limit(page_size).offset(offset(page, page_size))))
    return Page(items, total, page, page_size)


def page_of(items: Sequence[T], page: int, page_size: int) -> Page[T]:
    """One page of a list already in memory, in order."""
    start = offset(page, page_size)
    return Page(list(items[start : start + page_size]), len(items), page, page_size)
