"""A page of a long list: its rows, its number and how many rows there are in all."""

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

PAGE_SIZE = 50

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of rows, numbered from 1, and how many rows match in all."""

    rows: list[Row]
    number: int
    count: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1
