import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { provideKafka, type KafkaUnderTest } from '@app/testing';

const ROOT = resolve(__dirname, '../../..');
const TSCONFIG = join(ROOT, 'test/engine/fixtures/tsconfig.fixture.json');
const COMPILED = join(ROOT, 'var/test-build/engine-fixtures/test/engine/fixtures/engine.fixture.js');

/** Compiles the engine fixture into var/ (git-ignored) with tsc, then rewrites the @app aliases. */
export async function compileEngineFixture(): Promise<string> {
  const run = promisify(execFile);
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', TSCONFIG], { cwd: ROOT });
  await run(process.execPath, [join(ROOT, 'node_modules/tsc-alias/dist/bin/index.js'), '-p', TSCONFIG], {
    cwd: ROOT,
  });
  if (!existsSync(COMPILED)) throw new Error(`engine fixture not compiled to ${COMPILED}`);
  return COMPILED;
}

/** A running engine process and the JSON events it printed. */
export interface EngineProcess {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  readonly exited: Promise<number | string>;
  /** Resolves once an event satisfies `test` (polls; bounded by `timeoutMs`). */
  waitFor(
    test: (e: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

export function startEngineProcess(script: string, env: Record<string, string>): EngineProcess {
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  const events: Record<string, unknown>[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines)
      if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', () => undefined);
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => done(signal ?? code ?? -1)),
  );
  const waitFor = async (
    test: (e: Record<string, unknown>) => boolean,
    timeoutMs = 120_000,
  ): Promise<Record<string, unknown>> => {
    for (let waited = 0; waited < timeoutMs; waited += 100) {
      const hit = events.find(test);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `engine process: no matching event after ${timeoutMs} ms; last: ${JSON.stringify(events.slice(-3))}`,
    );
  };
  return { child, events, exited, waitFor };
}

/**
 * Jest hooks for a test file that runs the engine as child processes: the broker (from env or a
 * container), the compiled fixture, and SIGKILL of every process still running at the end.
 */
export function engineProcessesUnderTest(): {
  readonly brokers: string[];
  start(env: Record<string, string>): EngineProcess;
} {
  let broker: KafkaUnderTest | undefined;
  let script: string | undefined;
  const running: EngineProcess[] = [];
  beforeAll(async () => {
    broker = await provideKafka();
    script = await compileEngineFixture();
  });
  afterAll(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    await broker?.stop();
  });
  return {
    get brokers(): string[] {
      if (broker === undefined) throw new Error('the broker is provided in beforeAll');
      return broker.brokers;
    },
    start(env: Record<string, string>): EngineProcess {
      if (script === undefined) throw new Error('the engine fixture is compiled in beforeAll');
      const p = startEngineProcess(script, env);
      running.push(p);
      return p;
    },
  };
}
