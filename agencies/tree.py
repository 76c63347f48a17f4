"""The agency tree, read from the database once per change and shared by every node.

`agency_subtree_ids` used to read the whole agency table on every call (10,000 rows for a
province). Now the parent→children map is kept in Django's cache (Redis in production, so every
web node and worker shares it) under a *generation* token; each process also memoises the map
for the generation it last saw. A call costs one small cache read (the token) and, only after a
change, one scan of the table by the first process that needs it.

Any save or delete of an Agency (model signals, wired in `apps.py`) starts a new generation at
once and again after the transaction commits, so no process can keep a tree read before the
commit. Code that writes agencies without signals (`bulk_create`, `QuerySet.update`) must call
`agency_tree_changed()` itself."""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.core.cache import cache
from django.db import connection, transaction

from .models import Agency

# Keys name the database, so two installations (or two test databases) sharing one Redis never
# see each other's tree.
GENERATION_KEY = "agencies:tree:{database}:generation"
TREE_KEY = "agencies:tree:{database}:{generation}"
TREE_TIMEOUT = 24 * 3600  # an unused generation's map leaves the cache by itself

# (generation, children map, every id) last seen by this process; replaced as one tuple.
_memo: tuple[str | None, dict[int | None, tuple[int, ...]], frozenset[int]] = (
    None,
    {},
    frozenset(),
)


def _generation_key() -> str:
    return GENERATION_KEY.format(database=connection.settings_dict["NAME"])


def _generation() -> str:
    key = _generation_key()
    generation = cache.get(key)
    if generation is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        generation = cache.get(key)
    return generation


def _read_tree() -> dict[int | None, tuple[int, ...]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Agency.objects.values_list("id", "parent_id").order_by("id"):
        children[parent_id].append(pk)
    return {parent: tuple(ids) for parent, ids in children.items()}


def agency_tree_children() -> tuple[dict[int | None, tuple[int, ...]], frozenset[int]]:
    """The parent id → child ids map (None → the roots) and the set of every agency id."""
    global _memo
    generation = _generation()  # read BEFORE the table, so a later change is never hidden
    if _memo[0] == generation:
        return _memo[1], _memo[2]
    key = TREE_KEY.format(database=connection.settings_dict["NAME"], generation=generation)
    children = cache.get(key)
    if children is None:
        children = _read_tree()
        cache.set(key, children, timeout=TREE_TIMEOUT)
    every = frozenset(pk for ids in children.values() for pk in ids)
    _memo = (generation, children, every)
    return children, every


def agency_tree_changed() -> None:
    """Start a new generation now and once more after the current transaction commits."""
    global _memo
    _memo = (None, {}, frozenset())
    key = _generation_key()
    cache.set(key, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, timeout=None))


def agency_tree_on_change(sender, **kwargs) -> None:
    """Signal receiver (post_save, post_delete of Agency)."""
    agency_tree_changed()
