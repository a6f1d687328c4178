import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Command } from 'commander';
import { lineagePseudonym, loadPolicy, type PseudonymKeyring, DEMO_PSEUDONYM_KEYRING } from '@app/policy';
import { buildConsentReceipt, createDataSource, LedgerReader, subjectChainHolds } from '@app/persistence';
import { keyringFromEnv } from './pseudonym-keys.input';
import type { CommandOutput } from './validate.command';

/** Exit codes of `govern ledger`: 0 holds / found, 1 broken / nothing found, 2 unusable input. */
export const EXIT_LEDGER_BROKEN = 1;
export const EXIT_LEDGER_UNUSABLE = 2;

export interface LedgerDatabase {
  readonly url: string;
  /** PostgreSQL schema of the ledger tables; default: the search path. */
  readonly schema?: string;
}

async function withReader<T>(db: LedgerDatabase, run: (reader: LedgerReader) => Promise<T>): Promise<T> {
  const dataSource = createDataSource({ url: db.url, schema: db.schema });
  await dataSource.initialize();
  try {
    return await run(new LedgerReader(dataSource));
  } finally {
    await dataSource.destroy();
  }
}

/**
 * `govern ledger verify`: checks the whole chain (content hashes, subject links, sequence, anchors)
 * in one streaming pass and prints the result as JSON; exit 1 naming the first broken row.
 */
export async function ledgerVerifyCommand(db: LedgerDatabase): Promise<CommandOutput> {
  const result = await withReader(db, (reader) => reader.verify());
  return { exitCode: result.ok ? 0 : EXIT_LEDGER_BROKEN, lines: [JSON.stringify(result, null, 2)] };
}

export interface LedgerReceiptOptions extends LedgerDatabase {
  readonly policyPath: string;
  readonly subjectKey: string;
  readonly keyring: PseudonymKeyring;
  readonly issuedAt: string;
}

/** `govern ledger receipt`: a person's consent receipt (JSON), looked up by keyed pseudonym. */
export async function ledgerReceiptCommand(o: LedgerReceiptOptions): Promise<CommandOutput> {
  const policy = loadPolicy(readFileSync(o.policyPath, 'utf8'), { fileName: basename(o.policyPath) });
  const pseudonyms = [...o.keyring.secrets.keys()].map((id) => lineagePseudonym(o.keyring, o.subjectKey, id));
  const rows = await withReader(o, (reader) => reader.subjectRows(pseudonyms));
  if (rows.length === 0)
    return { exitCode: EXIT_LEDGER_BROKEN, lines: ['the ledger holds no evidence for this subject'] };
  const found = [...new Set(rows.map((r) => r.subject).filter((s): s is string => s !== null))];
  const receipt = buildConsentReceipt(policy, found, rows, subjectChainHolds(rows), o.issuedAt);
  return { exitCode: 0, lines: [JSON.stringify(receipt, null, 2)] };
}

const databaseUrl = (): string =>
  process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/consent_governance';

/** Registers `govern ledger verify` and `govern ledger receipt`. */
export function registerLedgerCommand(program: Command, finish: (output: CommandOutput) => void): void {
  const ledger = program.command('ledger').description('the consent ledger in PostgreSQL (DATABASE_URL)');
  const fail = (error: unknown): void =>
    finish({
      exitCode: EXIT_LEDGER_UNUSABLE,
      // The error's name only: a driver message can quote connection details.
      lines: [`ledger: cannot read the ledger (${error instanceof Error ? error.name : 'error'})`],
    });
  ledger
    .command('verify')
    .option('--schema <name>', 'PostgreSQL schema of the ledger tables')
    .description('check the whole hash chain; exit 1 naming the first broken row')
    .action((o: { schema?: string }) =>
      ledgerVerifyCommand({ url: databaseUrl(), schema: o.schema }).then(finish, fail),
    );
  ledger
    .command('receipt')
    .requiredOption('--policy <file>', 'policy YAML file (purposes, controller, how to withdraw)')
    .requiredOption('--subject <key>', "the person's subject key (looked up by its keyed pseudonyms)")
    .option('--schema <name>', 'PostgreSQL schema of the ledger tables')
    .description("print a person's consent receipt (ISO/IEC TS 27560 style JSON)")
    .action((o: { policy: string; subject: string; schema?: string }) => {
      const input = keyringFromEnv(process.env, EXIT_LEDGER_UNUSABLE);
      if (input.failure !== undefined) return finish(input.failure);
      ledgerReceiptCommand({
        url: databaseUrl(),
        schema: o.schema,
        policyPath: o.policy,
        subjectKey: o.subject,
        keyring: input.keyring ?? DEMO_PSEUDONYM_KEYRING,
        issuedAt: new Date().toISOString(),
      }).then(finish, fail);
    });
}
