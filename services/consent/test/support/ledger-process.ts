import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './consent-settings';

const TSCONFIG = join(ROOT, 'services/consent/test/fixtures/tsconfig.fixture.json');
const OUT = join(ROOT, 'var/test-build/consent-fixtures');
export const LEDGER_FIXTURE = join(OUT, 'services/consent/test/fixtures/ledger.fixture.js');
export const GOVERN_CLI = join(OUT, 'cli/govern/main.js');

/** Compiles the ledger fixture and the govern CLI into var/ (git-ignored), aliases rewritten. */
export async function compileLedgerFixtures(): Promise<void> {
  const run = promisify(execFile);
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', TSCONFIG], { cwd: ROOT });
  await run(process.execPath, [join(ROOT, 'node_modules/tsc-alias/dist/bin/index.js'), '-p', TSCONFIG], {
    cwd: ROOT,
  });
  for (const file of [LEDGER_FIXTURE, GOVERN_CLI])
    if (!existsSync(file)) throw new Error(`fixture not compiled to ${file}`);
}

export type FixtureEvent = Record<string, unknown>;

/** A running ledger fixture and the JSON events it printed. */
export interface LedgerProcess {
  readonly child: ChildProcess;
  readonly events: FixtureEvent[];
  readonly exited: Promise<number | string>;
  waitFor(test: (e: FixtureEvent) => boolean, timeoutMs?: number): Promise<FixtureEvent>;
}

export function startLedgerProcess(env: Record<string, string>): LedgerProcess {
  const child = spawn(process.execPath, [LEDGER_FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  const events: FixtureEvent[] = [];
  let stderr = '';
  let pending = '';
  let exit: string | null = null;
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as FixtureEvent);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-16_384);
  });
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => {
      exit = String(signal ?? code ?? -1);
      done(signal ?? code ?? -1);
    }),
  );
  const waitFor = async (test: (e: FixtureEvent) => boolean, timeoutMs = 120_000): Promise<FixtureEvent> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = events.find(test);
      if (hit !== undefined) return hit;
      if (exit !== null || Date.now() > until)
        throw new Error(
          `no matching fixture event (${exit === null ? 'timeout' : `exited ${exit}`}); last: ${JSON.stringify(events.slice(-3))}\n${stderr}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, events, exited, waitFor };
}

/** Runs the compiled `govern` with arguments; resolves with its exit code and output. */
export function runGovern(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [GOVERN_CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('exit', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
