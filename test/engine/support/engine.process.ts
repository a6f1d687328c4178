import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { provideKafka, type KafkaUnderTest } from '@app/testing';

const ROOT = resolve(__dirname, '../../..');
const TSCONFIG = join(ROOT, 'test/engine/fixtures/tsconfig.fixture.json');
const COMPILED = join(ROOT, 'var/test-build/engine-fixtures/test/engine/fixtures/engine.fixture.js');
/** Enough of an engine's stderr to show why it failed; older output is dropped. */
const STDERR_KEPT = 64 * 1024;

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

/** One JSON line the engine fixture printed (see engine.fixture.ts). */
export type EngineEvent = Record<string, unknown>;

/** A running engine process and the JSON events it printed. */
export interface EngineProcess {
  readonly child: ChildProcess;
  readonly events: EngineEvent[];
  readonly exited: Promise<number | string>;
  /** What the process wrote to stderr so far (the last 64 KiB). */
  stderr(): string;
  /** A command line to the fixture: `hold` holds every commit from now on, `release` lets them through. */
  send(command: 'hold' | 'release'): void;
  /**
   * Resolves with the first event, printed already or to come, that satisfies `test` (which also
   * gets the event's index, to skip earlier ones). Rejects, with the last events and stderr, if
   * the process exits first or nothing matches within `timeoutMs`.
   */
  waitFor(test: (e: EngineEvent, index: number) => boolean, timeoutMs?: number): Promise<EngineEvent>;
}

export function startEngineProcess(script: string, env: Record<string, string>): EngineProcess {
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  const events: EngineEvent[] = [];
  const waiters = new Set<{ check(): boolean; fail(why: string): void }>();
  let stderr = '';
  let exit: string | null = null;
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as EngineEvent);
    for (const w of waiters) if (w.check()) waiters.delete(w);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });
  // A killed process's stdin is closed: a command sent too late must not crash the test run.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => {
      const status = signal ?? code ?? -1;
      exit = String(status);
      for (const w of waiters) w.fail(`engine process exited (${exit}) first`);
      waiters.clear();
      done(status);
    }),
  );
  const report = (why: string): Error =>
    new Error(
      `${why}; last events: ${JSON.stringify(events.slice(-5))}\n--- engine stderr ---\n${stderr || '(empty)'}`,
    );
  const waitFor = (
    test: (e: EngineEvent, index: number) => boolean,
    timeoutMs = 120_000,
  ): Promise<EngineEvent> =>
    new Promise<EngineEvent>((done, reject) => {
      const hit = events.find(test);
      if (hit !== undefined) return done(hit);
      if (exit !== null) return reject(report(`no matching event: engine process exited (${exit}) first`));
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        waiter.fail(`nothing within ${timeoutMs} ms`);
      }, timeoutMs);
      const waiter = {
        check: (): boolean => {
          const found = events.find(test);
          if (found === undefined) return false;
          clearTimeout(timer);
          done(found);
          return true;
        },
        fail: (why: string): void => {
          clearTimeout(timer);
          reject(report(`no matching event: ${why}`));
        },
      };
      waiters.add(waiter);
    });
  return {
    child,
    events,
    exited,
    stderr: () => stderr,
    send: (command) => void child.stdin?.write(`${command}\n`),
    waitFor,
  };
}

/** The error, with the stderr of the given engine processes added to what the test report shows. */
function withEngineOutput(error: unknown, processes: readonly EngineProcess[]): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const output = processes
    .filter((p) => p.stderr() === '' || !message.includes(p.stderr()))
    .map((p) => `--- engine ${p.child.pid ?? '?'} stderr ---\n${p.stderr() || '(empty)'}`)
    .join('\n');
  if (output === '') return error;
  if (!(error instanceof Error)) return new Error(`${message}\n${output}`);
  error.message = `${message}\n${output}`;
  return error;
}

/**
 * Jest hooks for a test file that runs the engine as child processes: the broker (from env or a
 * container), the compiled fixture, and SIGKILL of every process still running at the end. Tests
 * are declared with `test` so that a failing one shows its engines' stderr.
 */
export function engineProcessesUnderTest(): {
  readonly brokers: string[];
  start(env: Record<string, string>): EngineProcess;
  test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
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
    test(name, fn, timeoutMs) {
      it(
        name,
        async () => {
          const from = running.length;
          try {
            await fn();
          } catch (error) {
            throw withEngineOutput(error, running.slice(from));
          }
        },
        timeoutMs,
      );
    },
  };
}
