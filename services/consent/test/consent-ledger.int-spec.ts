import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import type { LineageRecord } from '@app/contracts';
import { createKafkaClient } from '@app/kafka';
import { GovernanceProcessor, lineagePseudonym, loadPolicy } from '@app/policy';
import { createDataSource, LedgerReader } from '@app/persistence';
import { generateEventStream } from '@app/sample';
import { loadConfig } from '@app/service-kit';
import {
  createTopics,
  provideDatabase,
  provideKafka,
  startNestApp,
  uniqueTopic,
  type DatabaseUnderTest,
  type KafkaUnderTest,
} from '@app/testing';
import { ConsentModule } from '../src/consent.module';
import { ConsentSettings } from '../src/consent.settings';
import { ADMIN_KEY, KEYRING, KEYRING_ENV, POLICY_FILE } from './support/consent-settings';
import { eventually, evidenceLines, migrateSchema, produceEvidence, sql } from './support/ledger-under-test';

type Assessment = Extract<LineageRecord, { kind: 'consent-assessment' }>;
type Row = Record<string, unknown>;

/**
 * The consent service against the real broker and PostgreSQL: every record of the evidence topic
 * lands in the ledger once, assessed as the engine assesses it; the database refuses changes;
 * verify finds an altered, a deleted and a reordered row; receipts say what, when, on which text.
 */
describe('consent service: the ledger', () => {
  let broker: KafkaUnderTest;
  let db: DatabaseUnderTest;
  let app: INestApplication;
  let url: string;
  let lines: string[];
  const prefix = `${uniqueTopic('ledger')}.`;
  const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
  const topic = `${prefix}${policy.evidenceTopic}`;
  const rowsIn = async (): Promise<number> =>
    Number(
      (await sql<{ n: string }>(db.url, db.schema, 'select count(*) as n from consent_ledger_entry'))[0]!.n,
    );
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const verify = async (): Promise<{ status: number; body: Row }> => {
    const res = await fetch(`${url}/ledger/verify`, { headers: admin });
    return { status: res.status, body: (await res.json()) as Row };
  };
  /** Runs `change` with the append-only triggers off, as only the superuser can. */
  const tamper = async (change: string, params: unknown[] = []): Promise<void> => {
    await sql(
      db.url,
      db.schema,
      'alter table consent_ledger_entry disable trigger consent_ledger_entry_append_only',
    );
    try {
      await sql(db.url, db.schema, change, params);
    } finally {
      await sql(
        db.url,
        db.schema,
        'alter table consent_ledger_entry enable trigger consent_ledger_entry_append_only',
      );
    }
  };

  beforeAll(async () => {
    broker = await provideKafka();
    db = await provideDatabase();
    await migrateSchema(db.url, db.schema);
    const kafka = createKafkaClient(broker.client);
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await createTopics(kafkaAdmin, [{ topic, numPartitions: 2 }]);
    await kafkaAdmin.disconnect();
    lines = evidenceLines(generateEventStream({ seed: 16, customers: 150 }));
    await produceEvidence(kafka, topic, lines);
    const settings = loadConfig(ConsentSettings, {
      KAFKA_BROKERS: broker.brokers.join(','),
      DATABASE_URL: db.url,
      CONSENT_DATABASE_SCHEMA: db.schema,
      CONSENT_TOPIC_PREFIX: prefix,
      CONSENT_GROUP_ID: `ledger-${randomUUID().slice(0, 8)}`,
      CONSENT_ADMIN_API_KEY: ADMIN_KEY,
      CONSENT_MAX_BATCH_RECORDS: '50',
      POLICY_FILE,
      ...KEYRING_ENV,
    });
    ({ app, url } = await startNestApp([ConsentModule.forSettings(settings)]));
    await eventually('every record in the ledger', async () => (await rowsIn()) >= lines.length);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await broker?.stop();
  });

  it('holds every record of the topic exactly once, and is ready once caught up', async () => {
    expect(await rowsIn()).toBe(lines.length);
    const offsets = await sql(
      db.url,
      db.schema,
      'select distinct source_partition, source_offset from consent_ledger_entry',
    );
    expect(offsets).toHaveLength(lines.length);
    const stored = await sql<{ n: string }>(
      db.url,
      db.schema,
      'select sum(next_offset) as n from consent_ledger_offset',
    );
    expect(Number(stored[0]!.n)).toBe(lines.length);
    await eventually('ready', async () => (await fetch(`${url}/health/ready`)).status === 200, 30_000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/consent_ledger_rows_appended_total\{outcome="refused",valid="none"\} 2/);
  });

  it("stores each assessment exactly as the engine's consent-assessment lineage records it", async () => {
    const processor = new GovernanceProcessor(policy, { pseudonymKeys: KEYRING });
    const lineage = new Map<string, Assessment>();
    const deadLetters = new Map<string, string>();
    for (const line of lines) {
      const r = processor.process(line, { topic: policy.evidenceTopic });
      const a = r.lineage.find((l): l is Assessment => l.kind === 'consent-assessment');
      if (a?.eventId != null && !lineage.has(a.eventId)) lineage.set(a.eventId, a);
      if (r.deadLetter !== undefined && r.eventId !== null) deadLetters.set(r.eventId, r.deadLetter.code);
    }
    const rows = await sql(db.url, db.schema, 'select * from consent_ledger_entry order by seq');
    let compared = 0;
    for (const row of rows) {
      if (row.outcome === 'refused') {
        expect(row.refusal_code).toBe(
          row.event_id === null ? 'not-json' : deadLetters.get(row.event_id as string),
        );
        continue;
      }
      const a = lineage.get(row.event_id as string);
      if (a === undefined) continue; // the engine dead-letters a resent piece of evidence
      expect({
        evidenceId: row.evidence_id,
        evidenceKind: row.evidence_kind,
        valid: row.valid,
        rule: row.rule,
        purposes: JSON.parse(row.purposes as string) as unknown,
        formVersion: row.form_version ?? undefined,
        confirms: row.confirms ?? undefined,
        time: row.evidence_time,
      }).toEqual({
        evidenceId: a.evidenceId,
        evidenceKind: a.evidenceKind,
        valid: a.valid,
        rule: a.rule,
        purposes: a.purposes,
        formVersion: a.formVersion,
        confirms: a.confirms,
        time: a.time,
      });
      expect(a.reason === row.reason || a.reason.startsWith(`${String(row.reason)}; `)).toBe(true);
      // The ledger names the subject by the same keyed pseudonym the lineage uses (no identity link here).
      expect(row.subject).toBe(a.subject);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('keeps no clear subject key, and points each consent to the stored text of its form', async () => {
    const dump = JSON.stringify(await sql(db.url, db.schema, 'select * from consent_ledger_entry'));
    expect(dump).not.toMatch(/cust-\d{5}/);
    const texts = await sql(db.url, db.schema, 'select form_version, text_hash from consent_text order by 1');
    expect(texts.map((t) => t.form_version)).toEqual(['banner-v1', 'newsletter-v3']);
    const pointing = await sql<{ n: string }>(
      db.url,
      db.schema,
      "select count(*) as n from consent_ledger_entry where form_version = 'banner-v1' and text_hash = $1",
      [policy.forms.get('banner-v1')!.textHash],
    );
    expect(Number(pointing[0]!.n)).toBeGreaterThan(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    for (const change of [
      'update consent_ledger_entry set valid = not valid where seq = 1',
      'delete from consent_ledger_entry where seq = 1',
      'truncate consent_ledger_entry',
      "update consent_ledger_anchor set hash = 'x'",
      'delete from consent_ledger_anchor',
      'truncate consent_ledger_anchor',
      "update consent_text set text = 'x'",
      'delete from consent_text',
    ])
      await expect(sql(db.url, db.schema, change)).rejects.toThrow(/append-only/);
    expect(await rowsIn()).toBe(lines.length);
  });

  it('answers receipts only with the admin key, naming what, when, which text and how to withdraw', async () => {
    // A person who answered banner-v1 (the banner whose text the policy declares).
    const answered = lines
      .filter((l) => l.includes('"formVersion":"banner-v1"'))
      .map((l) => JSON.parse(l) as { subject: string });
    const subjectKey = answered[0]!.subject;
    const body = JSON.stringify({ subjectKey });
    const json = { 'content-type': 'application/json' };
    expect((await fetch(`${url}/ledger/receipts`, { method: 'POST', headers: json, body })).status).toBe(401);
    const wrong = { ...json, authorization: 'Bearer not-the-key-not-the-key-not-the-key' };
    expect((await fetch(`${url}/ledger/receipts`, { method: 'POST', headers: wrong, body })).status).toBe(
      401,
    );
    const bad = await fetch(`${url}/ledger/receipts`, {
      method: 'POST',
      headers: { ...json, ...admin },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    const res = await fetch(`${url}/ledger/receipts`, {
      method: 'POST',
      headers: { ...json, ...admin },
      body,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(subjectKey);
    const receipt = JSON.parse(text) as {
      piiPrincipal: { pseudonyms: string[] };
      piiController: { name: string };
      ledger: { rows: number; chainHolds: boolean };
      records: {
        state: string;
        time: string;
        purposes: { purpose: string; legalBasis: string }[];
        notice: { formVersion: string | null; storedTextHash: string | null };
        collection: { action: string | null };
        howToWithdraw: string | null;
      }[];
    };
    expect(receipt.piiPrincipal.pseudonyms).toEqual([lineagePseudonym(KEYRING, subjectKey)]);
    expect(receipt.piiController.name).toBe(policy.controller);
    expect(receipt.ledger.chainHolds).toBe(true);
    expect(receipt.records.length).toBe(receipt.ledger.rows);
    const banner = receipt.records.find((r) => r.notice.formVersion === 'banner-v1');
    expect(banner).toBeDefined();
    expect(banner!.notice.storedTextHash).toBe(policy.forms.get('banner-v1')!.textHash);
    expect(banner!.howToWithdraw).toContain('Cookie-indstillinger');
    expect(banner!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(banner!.collection.action).not.toBeNull();
    for (const r of receipt.records) for (const p of r.purposes) expect(p.legalBasis).toBeTruthy();
    const unknown = await fetch(`${url}/ledger/receipts`, {
      method: 'POST',
      headers: { ...json, ...admin },
      body: JSON.stringify({ subjectKey: 'nobody-at-all' }),
    });
    expect(unknown.status).toBe(404);
  });

  it("opens a subject's sealed content with its key, and no longer once the key is destroyed (crypto-shredding)", async () => {
    const subjectKey = (
      JSON.parse(lines.find((l) => l.includes('"formVersion":"newsletter-v3"'))!) as { subject: string }
    ).subject;
    const pseudonym = lineagePseudonym(KEYRING, subjectKey);
    const dataSource = createDataSource({ url: db.url, schema: db.schema });
    await dataSource.initialize();
    try {
      const reader = new LedgerReader(dataSource);
      const rows = await reader.subjectRows([pseudonym]);
      expect(rows.length).toBeGreaterThan(0);
      const opened = await reader.openSealed(KEYRING, rows[0]!);
      expect(opened).toMatchObject({ subject: { key: subjectKey } });
      // Erasure destroys the key (a DELETE the table allows); the rows stay and still verify.
      await sql(db.url, db.schema, 'delete from consent_subject_key where subject = $1', [pseudonym]);
      expect(await reader.openSealed(KEYRING, rows[0]!)).toBe('shredded');
      expect((await verify()).body).toMatchObject({ ok: true });
      await expect(
        sql(db.url, db.schema, "update consent_subject_key set wrapped_key = 'x'"),
      ).rejects.toThrow(/append-only/);
    } finally {
      await dataSource.destroy();
    }
  });

  it('verifies, then names a row altered, deleted or reordered directly in the database', async () => {
    expect((await fetch(`${url}/ledger/verify`)).status).toBe(401);
    const clean = await verify();
    expect(clean.status).toBe(200);
    expect(clean.body).toMatchObject({ ok: true, rowsChecked: lines.length, firstBreak: null });

    // Altered: a refusal turned into a consent.
    const target = 17;
    await tamper('update consent_ledger_entry set valid = not valid where seq = $1', [target]);
    const altered = await verify();
    expect(altered.status).toBe(409);
    expect(altered.body.firstBreak).toMatchObject({ seq: String(target), problem: 'content-hash' });
    await tamper('update consent_ledger_entry set valid = not valid where seq = $1', [target]);
    expect((await verify()).status).toBe(200);

    // Deleted: the row is kept aside and put back after.
    const [saved] = await sql(db.url, db.schema, 'select * from consent_ledger_entry where seq = $1', [
      target,
    ]);
    await tamper('delete from consent_ledger_entry where seq = $1', [target]);
    expect((await verify()).body.firstBreak).toMatchObject({
      seq: String(target),
      problem: 'missing-sequence',
    });
    const columns = Object.keys(saved!);
    await sql(
      db.url,
      db.schema,
      `insert into consent_ledger_entry (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((c) => saved![c]),
    );
    expect((await verify()).status).toBe(200);

    // Reordered: two rows trade places in the sequence.
    await tamper('update consent_ledger_entry set seq = -seq where seq in (20, 21)');
    await tamper(
      'update consent_ledger_entry set seq = case when seq = -20 then 21 else 20 end where seq in (-20, -21)',
    );
    const reordered = await verify();
    expect(reordered.status).toBe(409);
    expect(reordered.body.firstBreak).toMatchObject({ seq: '20', problem: 'content-hash' });
  });
});
