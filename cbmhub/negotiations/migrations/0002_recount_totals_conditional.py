"""Recount the cached totals of every revision: a paragraph held back by a note (it depends on
other paragraphs, or keeps the original) is now "conditional", not "agreed", and the document
page lists revisions from these cached totals. The source text is the truth; only the cache
changes. Reversing leaves the new counts (they are right under either code)."""

from django.db import migrations


def recount(apps, schema_editor):
    from cbmhub.negotiations import notation

    Revision = apps.get_model("negotiations", "Revision")
    for revision in Revision.objects.only("pk", "source_text", "totals").iterator(chunk_size=50):
        totals = notation.analyse(notation.parse(revision.source_text)).totals
        if totals != revision.totals:
            revision.totals = totals
            revision.save(update_fields=["totals"])


class Migration(migrations.Migration):
    dependencies = [("negotiations", "0001_negotiations")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
