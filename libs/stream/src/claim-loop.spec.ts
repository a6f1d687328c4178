import { EventEmitter } from 'node:events';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { type Assignment, ClaimLoop, type ClaimWork, type ClaimedUnit } from './claim-loop';
import { kafkaLoopConsumer } from './kafka-loop-consumer';
import { Wakeup } from './wakeup';

/** What happened, in order; tests wait for entries instead of sleeping. */
class Trace {
  readonly entries: string[] = [];
  private readonly waiters = new Set<() => boolean>();

  add(entry: string): void {
    this.entries.push(entry);
    for (const w of this.waiters) if (w()) this.waiters.delete(w);
  }

  count(entry: string): number {
    return this.entries.filter((e) => e === entry).length;
  }

  /** Resolves once `entry` was recorded `times` times in all; rejects with the trace after 5 s. */
  until(entry: string, times = 1): Promise<void> {
    return new Promise((done, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${times}× "${entry}" within 5 s; trace: ${this.entries.join(', ')}`));
      }, 5000);
      const check = (): boolean => {
        if (this.count(entry) < times) return false;
        clearTimeout(timer);
        done();
        return true;
      };
      if (!check()) this.waiters.add(check);
    });
  }
}

/** A kafkajs consumer that fetches nothing; the test emits its instrumentation events. */
function fakeKafkaConsumer(): { consumer: Consumer; emit(event: 'join' | 'crash', detail: object): void } {
  const emitter = new EventEmitter();
  // The real event names, from a consumer that is never connected.
  const { events } = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }).consumer({
    groupId: 'event-names',
  });
  const fake = {
    events,
    connect: async (): Promise<void> => undefined,
    subscribe: async (): Promise<void> => undefined,
    run: async (): Promise<void> => undefined,
    stop: async (): Promise<void> => undefined,
    disconnect: async (): Promise<void> => undefined,
    on: (name: string, listener: (event: unknown) => void): (() => void) => {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    },
  };
  return {
    // Only what kafkaLoopConsumer uses is there; the cast is the point of a fake.
    consumer: fake as unknown as Consumer,
    emit: (event, detail) =>
      emitter.emit(event === 'join' ? events.GROUP_JOIN : events.CRASH, {
        id: 0,
        type: event,
        timestamp: Date.now(),
        payload: { groupId: 'g', ...detail },
      }),
  };
}

/** Claims and steps that record themselves; claims and steps fail on request. */
class FakeWork implements ClaimWork {
  readonly assignments: Assignment[] = [];
  failClaims = 0;
  failSteps = 0;
  /** When set, the next claim waits for it. */
  claimGate: Promise<void> | null = null;

  constructor(
    private readonly trace: Trace,
    private readonly ready: () => boolean,
  ) {}

  async claim(assignment: Assignment): Promise<readonly ClaimedUnit[]> {
    this.assignments.push(assignment);
    this.trace.add(`claim ready=${this.ready()}`);
    const gate = this.claimGate;
    this.claimGate = null;
    if (gate !== null) await gate;
    if (this.failClaims > 0) {
      this.failClaims--;
      throw new TypeError('claim failed');
    }
    const step = async (): Promise<boolean> => {
      this.trace.add('step');
      if (this.failSteps === 0) return false;
      this.failSteps--;
      throw new RangeError('step failed');
    };
    return [{ id: 7, step }];
  }

  async release(): Promise<void> {
    this.trace.add('release');
  }
}

function loopUnderTest(backoffMs = 20): {
  loop: ClaimLoop;
  work: FakeWork;
  trace: Trace;
  emit(event: 'join' | 'crash', detail: object): void;
  failures: { error: string; attempt: number; retryInMs: number; ready: boolean }[];
} {
  const trace = new Trace();
  const { consumer, emit } = fakeKafkaConsumer();
  const failures: { error: string; attempt: number; retryInMs: number; ready: boolean }[] = [];
  let loop: ClaimLoop | null = null;
  const work = new FakeWork(trace, () => loop?.isCaughtUp() ?? false);
  const fetched = kafkaLoopConsumer(consumer, ['in'], {
    enqueue: () => undefined,
    batchProcessed: () => undefined,
  });
  loop = new ClaimLoop(fetched, work, new Wakeup(), {
    claimBackoff: { initialMs: backoffMs, maxMs: 60_000 },
    observer: {
      claimFailed: (e) => {
        failures.push({ ...e, ready: loop?.isCaughtUp() ?? false });
        trace.add('claim-failed');
      },
      stepFailed: (e) => trace.add(`step-failed ${e.unit} ${e.error}`),
      consumerCrashed: (e) => trace.add(`crash restart=${e.restart} ${e.error}`),
    },
  });
  return { loop, work, trace, emit, failures };
}

const ASSIGNED = { memberAssignment: { in: [0, 2] } };
const running: ClaimLoop[] = [];
const started = async (t: ReturnType<typeof loopUnderTest>): Promise<ReturnType<typeof loopUnderTest>> => {
  running.push(t.loop);
  await t.loop.start();
  return t;
};

afterEach(async () => {
  await Promise.all(running.splice(0).map((loop) => loop.stop()));
});

describe('the claim loop', () => {
  it('retries a failed claim with growing backoff, steps nothing and is not ready meanwhile, then steps and is ready', async () => {
    const t = await started(loopUnderTest());
    t.work.failClaims = 3;
    expect(t.loop.isCaughtUp()).toBe(false);

    t.emit('join', ASSIGNED);
    await t.trace.until('step');

    expect(t.failures.map((f) => [f.attempt, f.error, f.ready])).toEqual([
      [1, 'TypeError', false],
      [2, 'TypeError', false],
      [3, 'TypeError', false],
    ]);
    const delays = t.failures.map((f) => f.retryInMs);
    expect(delays[0]).toBeLessThan(delays[1] as number);
    expect(delays[1]).toBeLessThan(delays[2] as number);
    // Every attempt starts from a clean slate, and nothing is stepped before a claim succeeded.
    const firstStep = t.trace.entries.indexOf('step');
    expect(t.trace.entries.slice(0, firstStep).filter((e) => e.startsWith('claim '))).toHaveLength(4);
    expect(t.trace.count('release')).toBeGreaterThanOrEqual(4);
    expect(t.work.assignments.every((a) => a.get('in')?.join() === '0,2')).toBe(true);
    expect(t.loop.isCaughtUp()).toBe(true);
  });

  it('after a failed step, claims afresh and is not ready until that claim is made', async () => {
    const t = await started(loopUnderTest());
    t.work.failSteps = 1;

    t.emit('join', ASSIGNED);
    await t.trace.until('claim ready=false', 2);
    await t.trace.until('step', 2);

    // Every claim starts from a clean slate: whatever the previous one held is released first.
    expect(t.trace.entries.slice(0, 6)).toEqual([
      'release',
      'claim ready=false',
      'step',
      'step-failed 7 RangeError',
      'release',
      'claim ready=false',
    ]);
    expect(t.loop.isCaughtUp()).toBe(true);
  });

  it('after a consumer crash without restart, releases the claim, steps no more and stays not ready', async () => {
    const t = await started(loopUnderTest());
    t.emit('join', ASSIGNED);
    await t.trace.until('step');
    expect(t.loop.isCaughtUp()).toBe(true);

    const releases = t.trace.count('release');
    t.emit('crash', { error: new SyntaxError('gone'), restart: false });
    await t.trace.until('release', releases + 1);

    expect(t.loop.isCaughtUp()).toBe(false);
    expect(t.trace.entries).toContain('crash restart=false SyntaxError');
    // Absence has no event to wait for: give the loop some fifty idle rounds to do anything.
    const after = t.trace.entries.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(t.trace.entries.slice(after)).toEqual([]);
    expect(t.loop.isCaughtUp()).toBe(false);
  });

  it('after a consumer crash that kafkajs restarts, is ready again only once the rejoin was claimed afresh', async () => {
    const t = await started(loopUnderTest());
    t.emit('join', ASSIGNED);
    await t.trace.until('step');

    const releases = t.trace.count('release');
    t.emit('crash', { error: new SyntaxError('gone'), restart: true });
    await t.trace.until('release', releases + 1);
    expect(t.loop.isCaughtUp()).toBe(false);
    let claimGate: () => void = () => undefined;
    t.work.claimGate = new Promise((resolve) => (claimGate = resolve));
    // kafkajs's restart ends in a join like any other.
    t.emit('join', { memberAssignment: { in: [1] } });
    await t.trace.until('claim ready=false', 2);
    expect(t.loop.isCaughtUp()).toBe(false);
    const steps = t.trace.count('step');
    claimGate();
    await t.trace.until('step', steps + 1);

    expect(t.work.assignments.map((a) => a.get('in')?.join())).toEqual(['0,2', '1']);
    expect(t.loop.isCaughtUp()).toBe(true);
  });

  it('claims the latest assignment before stepping when the group rebalances during a claim', async () => {
    const t = await started(loopUnderTest());
    let claimGate: () => void = () => undefined;
    t.work.claimGate = new Promise((resolve) => (claimGate = resolve));
    t.emit('join', ASSIGNED);
    await t.trace.until('claim ready=false');

    t.emit('join', { memberAssignment: { in: [3] } });
    claimGate();
    await t.trace.until('step');

    expect(t.work.assignments.map((a) => a.get('in')?.join())).toEqual(['0,2', '3']);
    expect(t.trace.entries.indexOf('step')).toBeGreaterThan(t.trace.entries.lastIndexOf('claim ready=false'));
    expect(t.loop.isCaughtUp()).toBe(true);
  });

  it('stops at once while it waits out a long backoff', async () => {
    const t = await started(loopUnderTest(60_000));
    t.work.failClaims = Infinity;
    t.emit('join', ASSIGNED);
    await t.trace.until('claim-failed');

    const stopping = t.loop.stop();
    const outcome = await Promise.race([
      stopping.then(() => 'stopped'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000)),
    ]);

    expect(outcome).toBe('stopped');
    expect(t.loop.isCaughtUp()).toBe(false);
    expect(t.trace.entries.at(-1)).toBe('release');
  });
});
