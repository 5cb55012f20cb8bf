"""A database trigger that refuses changes to a version's text, also from raw SQL or bulk updates.

Only ``created_by`` may still change (to NULL, when its author's account is deleted).
"""

from django.db import migrations

COLUMNS = "body, number, prompt_id, note, restored_from"
MESSAGE = "prompt versions are immutable; save a new version instead"

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION anneal_prompts_version_immutable() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER anneal_prompts_version_immutable BEFORE UPDATE OF {COLUMNS}
        ON anneal_prompts_promptversion FOR EACH ROW EXECUTE FUNCTION anneal_prompts_version_immutable()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS anneal_prompts_version_immutable ON anneal_prompts_promptversion",
    "DROP FUNCTION IF EXISTS anneal_prompts_version_immutable()",
]
SQLITE = [
    f"""CREATE TRIGGER anneal_prompts_version_immutable BEFORE UPDATE OF {COLUMNS}
        ON anneal_prompts_promptversion BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS anneal_prompts_version_immutable"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("anneal_prompts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
