import { type Command, InvalidArgumentError } from 'commander';
import type { ApiKeyRepository, AuditRole } from '@app/persistence';
import type { CommandOutput } from './validate.command';

const ROLES: readonly AuditRole[] = ['auditor', 'dpo', 'admin'];
const NOT_MIGRATED =
  'the access tables do not exist yet: run `npm run migration:run` against this database first';

function role(value: string): AuditRole {
  const found = ROLES.find((r) => r === value);
  if (found === undefined) throw new InvalidArgumentError('must be auditor, dpo or admin');
  return found;
}

/** Runs `work` with the API-key table of DATABASE_URL; database problems become one line, exit 1. */
async function withKeys(work: (keys: ApiKeyRepository) => Promise<CommandOutput>): Promise<CommandOutput> {
  // Loaded here, not at the top: other govern commands do not need TypeORM and pg.
  const { ApiKeyRepository: Repository, createDataSource } = await import('@app/persistence');
  const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/consent_governance';
  const db = createDataSource({ url });
  try {
    await db.initialize();
    return await work(new Repository(db));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Only the server's error class is shown: a driver message may quote the connection URL.
    const why =
      code === '42P01'
        ? NOT_MIGRATED
        : `the database refused or is unreachable (${String(code ?? 'no code')})`;
    return { exitCode: 1, lines: [`govern keys: ${why}`] };
  } finally {
    if (db.isInitialized) await db.destroy();
  }
}

/** `govern keys create`: a key printed once on stdout; only its hash is stored. */
export function createKeyCommand(role: AuditRole, label: string): Promise<CommandOutput> {
  return withKeys(async (keys) => {
    const key = await keys.create(role, label);
    return { exitCode: 0, lines: [key.token] };
  });
}

function print(output: CommandOutput): void {
  (output.exitCode === 0 ? process.stdout : process.stderr).write(`${output.lines.join('\n')}\n`);
  process.exitCode = output.exitCode;
}

/** Adds `govern keys create|list|revoke` (API keys of the audit service, in DATABASE_URL). */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys of the auditor API (DATABASE_URL)');
  keys
    .command('create')
    .requiredOption(
      '--role <role>',
      'auditor (read), dpo (also exports) or admin (also keys, access log)',
      role,
    )
    .option('--label <text>', 'what the key is for (shown to admins)', '')
    .description('create an API key; it is printed once and only its SHA-256 is stored')
    .action(async (o: { role: AuditRole; label: string }) => {
      const out = await createKeyCommand(o.role, o.label);
      print(out);
      if (out.exitCode === 0)
        process.stderr.write(`role ${o.role}: store this key now, it cannot be shown again\n`);
    });
  keys
    .command('list')
    .description('list API keys (id, role, label, dates; never a secret)')
    .action(async () =>
      print(
        await withKeys(async (k) => ({
          exitCode: 0,
          lines: (await k.list()).map(
            (x) =>
              `${x.keyId}  ${x.role}  created ${x.createdAt}${x.revokedAt ? `  revoked ${x.revokedAt}` : ''}  ${x.label}`,
          ),
        })),
      ),
    );
  keys
    .command('revoke')
    .argument('<keyId>', 'the key id (the 16 hex digits after gov_)')
    .description('revoke an API key')
    .action(async (keyId: string) =>
      print(
        await withKeys(async (k) =>
          (await k.revoke(keyId))
            ? { exitCode: 0, lines: [`revoked ${keyId}`] }
            : { exitCode: 1, lines: ['no such active key'] },
        ),
      ),
    );
}
