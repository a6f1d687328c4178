import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');
const TSCONFIG = join(ROOT, 'test/kafka/fixtures/tsconfig.fixture.json');
const COMPILED = join(ROOT, 'var/test-build/kafka-fixtures/test/kafka/fixtures/processor.fixture.js');

/**
 * Compiles the processor fixture with plain tsc into var/ (git-ignored). Child processes need
 * JavaScript: ts-jest only transforms inside the Jest process, and Node's type stripping cannot
 * resolve the library's extensionless imports. Compiling just the fixture keeps the test
 * independent of the rest of the monorepo's build.
 */
export async function compileProcessorFixture(): Promise<string> {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', TSCONFIG], { cwd: ROOT });
  if (!existsSync(COMPILED)) throw new Error(`fixture not compiled to ${COMPILED}`);
  return COMPILED;
}

/** A running fixture process and the JSON events it printed so far. */
export interface FixtureProcess {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  readonly stderr: string[];
  /** Resolves with the exit code or signal once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** Starts the compiled fixture with the given environment (on top of this process's). */
export function startProcessorFixture(script: string, env: Record<string, string>): FixtureProcess {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: 'pipe' });
  const events: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
  );
  return { child, events, stderr, exited };
}
