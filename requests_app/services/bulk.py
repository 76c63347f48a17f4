"""Write many rows' fields in few statements (imports, deadline recomputes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

# PostgreSQL column types for the VALUES list, by Django field class.
_PG_TYPES = {
    models.DateField: "date",
    models.BooleanField: "boolean",
    models.CharField: "text",
    models.BigAutoField: "bigint",
    models.PositiveIntegerField: "integer",
}


def _pg_type(field: models.Field) -> str:
    for klass in type(field).__mro__:
        if klass in _PG_TYPES:
            return _PG_TYPES[klass]
    raise TypeError(f"no PostgreSQL type known for {field!r}")


def bulk_set(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple],
    *,
    bump_version: bool = True,
    chunk: int = 1000,
) -> None:
    """Set `fields` from rows of (pk, value, …) and add 1 to `version` (if asked).

    On PostgreSQL one `UPDATE … FROM (VALUES …)` per chunk; elsewhere Django's bulk_update.
    Callers hold the rows' locks and have checked their versions."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        columns = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
        placeholders = "(" + ", ".join(f"%s::{_pg_type(c)}" for c in columns) + ")"
        names = ", ".join(["id", *(f"v{i}" for i in range(len(fields)))])
        assignments = [
            f"{model._meta.get_field(name).column} = v.v{i}" for i, name in enumerate(fields)
        ]
        if bump_version:
            assignments.append("version = t.version + 1")
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS t SET {', '.join(assignments)} "
                    f"FROM (VALUES {', '.join([placeholders] * len(part))}) AS v({names}) "
                    f"WHERE t.{model._meta.pk.column} = v.id",
                    [value for row in part for value in row],
                )
        return
    by_id = {row[0]: row[1:] for row in rows}
    objects = list(
        model.objects.filter(pk__in=by_id).only("pk", *(["version"] if bump_version else []))
    )
    for obj in objects:
        for name, value in zip(fields, by_id[obj.pk], strict=True):
            obj.__dict__[model._meta.get_field(name).attname] = value
        if bump_version:
            obj.version += 1
    model.objects.bulk_update(
        objects, [*fields, *(["version"] if bump_version else [])], batch_size=500
    )


def bulk_set_if_current(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple],
    *,
    states: Sequence[str],
) -> set:
    """PostgreSQL: set `fields` from rows of (pk, expected version, value, …) in ONE statement
    (`UPDATE … FROM unnest(arrays)`), only where the row still has that version and one of
    `states`, adding 1 to its version. The row locks are taken by the UPDATE itself; a row
    changed meanwhile is left alone. Returns the pks written."""
    if not rows:
        return set()
    table = model._meta.db_table
    columns = [model._meta.get_field(name) for name in fields]
    arrays = [f"%s::{_pg_type(model._meta.pk)}[]", "%s::integer[]"]
    arrays += [f"%s::{_pg_type(c)}[]" for c in columns]
    names = ", ".join(["id", "version", *(f"v{i}" for i in range(len(fields)))])
    assignments = [f"{c.column} = v.v{i}" for i, c in enumerate(columns)]
    assignments.append("version = t.version + 1")
    params = [list(values) for values in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {', '.join(assignments)} "
            f"FROM unnest({', '.join(arrays)}) AS v({names}) "
            f"WHERE t.{model._meta.pk.column} = v.id AND t.version = v.version "
            f"AND t.state = ANY(%s) RETURNING t.{model._meta.pk.column}",
            [*params, [str(s) for s in states]],
        )
        return {row[0] for row in cursor.fetchall()}


def copy_insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """PostgreSQL: insert unsaved model instances with COPY (no per-row statements, no ids
    returned). Values are the fields' database values (`get_db_prep_save`), so JSON, dates and
    defaults come out as the ORM would write them; auto_now_add fields are filled in."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objects:
        for f in fields:
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                f.pre_save(obj, add=True)
    copy_rows(
        model,
        [f.column for f in fields],
        (
            [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            for obj in objects
        ),
    )


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """PostgreSQL: COPY rows of database values (JSON as text) into the model's table."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
