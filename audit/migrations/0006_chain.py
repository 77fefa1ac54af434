"""audit: the hash chain (audit/chain.py). The columns are added, then the chain is computed over
the events already there, in id order, and the head row is written.

The append-only trigger refuses UPDATE: it is disabled for this migration's own transaction only
(ALTER TABLE takes an exclusive lock on the table until the commit, so no one else writes in
between) and enabled again before the commit.
"""

from django.db import migrations, models

from audit.chain import CHAINED_FIELDS, GENESIS, chain_links

BATCH = 2000
TRIGGER = "audit_event_no_update_delete"


def _set_trigger(schema_editor, enabled):
    if schema_editor.connection.vendor == "postgresql":
        verb = "ENABLE" if enabled else "DISABLE"
        schema_editor.execute(f"ALTER TABLE audit_auditevent {verb} TRIGGER {TRIGGER}")


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ChainHead = apps.get_model("audit", "ChainHead")
    events = AuditEvent.objects.order_by("id")
    rows = events.values("id", *CHAINED_FIELDS).iterator(chunk_size=BATCH)
    ids = []

    def values():
        for row in rows:
            ids.append(row.pop("id"))
            yield row

    _set_trigger(schema_editor, enabled=False)
    batch, count, last_hash, last_id = [], 0, GENESIS, None
    for previous_hash, chain_hash in chain_links(values()):
        last_id = ids.pop()
        batch.append(AuditEvent(pk=last_id, previous_hash=previous_hash, chain_hash=chain_hash))
        count, last_hash = count + 1, chain_hash
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_update(batch, ["previous_hash", "chain_hash"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["previous_hash", "chain_hash"])
    _set_trigger(schema_editor, enabled=True)
    ChainHead.objects.update_or_create(
        pk=1, defaults={"last_hash": last_hash, "last_event_id": last_id, "event_count": count}
    )


def unchain(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_companies_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='chain_hash',
            field=models.CharField(blank=True, max_length=64, verbose_name='empreinte chaînée'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='previous_hash',
            field=models.CharField(blank=True, max_length=64, verbose_name='empreinte précédente'),
        ),
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('last_hash', models.CharField(max_length=64, verbose_name='dernière empreinte')),
                ('last_event_id', models.BigIntegerField(blank=True, null=True, verbose_name='dernier événement')),
                ('event_count', models.BigIntegerField(default=0, verbose_name='nombre d’événements')),
                ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='mis à jour le')),
            ],
            options={
                'verbose_name': 'tête de la chaîne d’audit',
                'verbose_name_plural': 'tête de la chaîne d’audit',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='audit_chain_head_single_row')],
            },
        ),
        migrations.RunPython(chain_existing, unchain),
    ]
