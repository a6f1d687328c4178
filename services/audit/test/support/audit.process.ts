import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../../..');
const TSCONFIG = join(ROOT, 'services/audit/test/fixtures/tsconfig.fixture.json');
const COMPILED = join(ROOT, 'var/test-build/audit-fixtures/services/audit/src/main.js');

/** Compiles the audit service into var/ (git-ignored) with tsc, then rewrites the @app aliases. */
export async function compileAuditService(): Promise<string> {
  const run = promisify(execFile);
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', TSCONFIG], { cwd: ROOT });
  await run(process.execPath, [join(ROOT, 'node_modules/tsc-alias/dist/bin/index.js'), '-p', TSCONFIG], {
    cwd: ROOT,
  });
  if (!existsSync(COMPILED)) throw new Error(`audit service not compiled to ${COMPILED}`);
  return COMPILED;
}

/** The audit service as a child process, with what it wrote to stderr (the last 64 KiB). */
export interface AuditProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  output(): string;
}

export function startAuditProcess(script: string, env: Record<string, string>): AuditProcess {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(signal ?? code ?? -1)),
  );
  return { child, exited, output: () => output };
}
