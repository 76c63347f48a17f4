"""PostgreSQL refuses to change a security-log row, and to delete one younger than six months
(网络安全法 第二十一条), whoever connects: the ORM's refusals (security.models) can be bypassed,
the trigger cannot without the table owner dropping it. Nothing on SQLite (embedded mode)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION security_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'security_securityevent is append-only: UPDATE refused';
    END IF;
    IF TG_OP = 'DELETE' AND OLD.created_at > now() - interval '6 months' THEN
        RAISE EXCEPTION 'security_securityevent: rows younger than six months cannot be deleted';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER security_event_append_only
    BEFORE UPDATE OR DELETE ON security_securityevent
    FOR EACH ROW EXECUTE FUNCTION security_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS security_event_append_only ON security_securityevent;
DROP FUNCTION IF EXISTS security_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_security_event")]

    operations = [migrations.RunPython(forwards, backwards)]
