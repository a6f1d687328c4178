/**
 * `npm run bench:ledger`: appends generated consent evidence to the consent ledger on the local
 * PostgreSQL (DATABASE_URL, else the local server's `postgres` database), in a fresh schema, as
 * the consent service does (assessed by the core, pseudonymised, sealed per subject, hash-chained,
 * anchored, offsets in the same transaction, `BENCH_LEDGER_BATCH` records per transaction; the
 * assessment and pseudonyms are timed too); then,
 * in the same run, inserts the very rows it wrote into a bare copy of the table (same columns, no
 * index, trigger, key or hashing) in transactions of the same size: the floor a plain insert sets.
 * Then verifies the whole chain. Prints the figures and one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  assessEvidenceEvent,
  DEMO_PSEUDONYM_KEYRING,
  LINEAGE_SCOPE,
  loadPolicy,
  Pseudonymiser,
} from '@app/policy';
import {
  createDataSource,
  type LedgerInput,
  LedgerReader,
  LedgerWriter,
  sha256Text,
  storeConsentTexts,
} from '@app/persistence';
import { generateEventStream } from '@app/sample';

const URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const RECORDS = Number(process.env.BENCH_LEDGER_RECORDS ?? '20000');
const BATCH = Number(process.env.BENCH_LEDGER_BATCH ?? '500');
const POLICY_FILE = join(__dirname, '..', '..', 'policies', 'example.yaml');

async function admin(text: string): Promise<void> {
  const client = new Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function evidenceLines(count: number): string[] {
  const lines: string[] = [];
  for (let seed = 1; lines.length < count; seed++)
    for (const line of generateEventStream({ seed, customers: 2000 }))
      if (line.includes('"type":"consent.evidence"') && lines.length < count) lines.push(line);
  return lines;
}

async function main(): Promise<void> {
  const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
  const keyring = DEMO_PSEUDONYM_KEYRING;
  const schema = `bench_ledger_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  await admin(`create schema "${schema}"`);
  const dataSource = createDataSource({ url: URL, schema });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    await storeConsentTexts(dataSource, policy);
    const lines = evidenceLines(RECORDS);
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    // Timed as the consumer works: assess, pseudonymise, then append, chunk by chunk.
    const pseudonyms = new Pseudonymiser(keyring, LINEAGE_SCOPE);
    const toInput = (line: string, i: number): LedgerInput => {
      const assessment = assessEvidenceEvent(policy, { value: line }, policy.evidenceTopic);
      const form = assessment.outcome === 'assessed' ? assessment.facts.formVersion : undefined;
      return {
        topic: 'bench',
        partition: 0,
        offset: String(i),
        assessment,
        subject: assessment.outcome === 'assessed' ? pseudonyms.of(assessment.subjectKey) : null,
        valueDigest: sha256Text(line),
        textHash: form === undefined ? null : (policy.forms.get(form)?.textHash ?? null),
        policyVersion: policy.version,
      };
    };
    const writer = new LedgerWriter(dataSource, keyring);
    let started = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i += BATCH) {
      const chunk = lines.slice(i, i + BATCH).map((line, k) => toInput(line, i + k));
      await writer.append({
        consumerGroup: 'bench',
        topic: 'bench',
        partition: 0,
        inputs: chunk,
        nextOffset: String(i + chunk.length),
      });
    }
    const ledgerSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    // The floor: the same rows, as written, inserted into a bare copy of the table.
    await dataSource.query('create table bare_entry (like consent_ledger_entry)');
    const rows = (await dataSource.query('select * from consent_ledger_entry order by seq')) as Record<
      string,
      unknown
    >[];
    const columns = Object.keys(rows[0] ?? {});
    started = process.hrtime.bigint();
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH);
      const params: unknown[] = [];
      const tuples = chunk.map((row, r) => {
        for (const c of columns) params.push(row[c]);
        return `(${columns.map((_, k) => `$${r * columns.length + k + 1}`).join(', ')})`;
      });
      await dataSource.transaction(async (m) => {
        await m.query(`insert into bare_entry (${columns.join(', ')}) values ${tuples.join(', ')}`, params);
      });
    }
    const bareSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    started = process.hrtime.bigint();
    const verified = await new LedgerReader(dataSource).verify();
    const verifySeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const figures = {
      bench: 'ledger',
      records: lines.length,
      batch: BATCH,
      inputMiB: +(bytes / 1048576).toFixed(2),
      ledgerRowsPerSec: Math.round(lines.length / ledgerSeconds),
      bareInsertRowsPerSec: Math.round(rows.length / bareSeconds),
      ratio: +(bareSeconds / ledgerSeconds).toFixed(2),
      verifyRowsPerSec: Math.round(verified.rowsChecked / verifySeconds),
      verified: verified.ok,
    };
    console.log(
      `ledger append : ${figures.ledgerRowsPerSec} rows/s (${lines.length} records, ${BATCH} per transaction)`,
    );
    console.log(
      `bare insert   : ${figures.bareInsertRowsPerSec} rows/s (the same rows, no index, trigger or hashing)`,
    );
    console.log(`ratio         : ${figures.ratio} (ledger / bare)`);
    console.log(
      `verify        : ${figures.verifyRowsPerSec} rows/s, ${verified.ok ? 'chain holds' : 'BROKEN'}`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await dataSource.destroy();
    await admin(`drop schema "${schema}" cascade`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench:ledger failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
