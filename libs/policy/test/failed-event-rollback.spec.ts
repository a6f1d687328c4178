import { generateEventStream } from '@app/sample';
import { type CompiledPolicy, DEMO_PSEUDONYM_KEYRING, GovernanceProcessor } from '@app/policy';
import { RecordEmitter } from '../src/processor/emit.stage';
import { examplePolicy } from './rule-fixture.harness';

/**
 * The rollback of a failed event is an undo log written where state changes (the window of recent
 * ids, the fold, identity links, the fold into a linked device's own state), not a copy of every
 * touched state. This proves it over a whole
 * generated stream with every hard case: each event first fails after everything was decided (the
 * emit stage throws), then is processed for real. After each failure every state must be
 * byte-identical to that of a processor that saw no failures, and so must every decision after it.
 * A write to the state that the undo log misses shows up here.
 */
const DAY_MS = 86_400_000;

/**
 * The example policy with another duplicate window and, for `short`, a 30-day state horizon and a
 * 1-day confirmation window, so the stream (14 months) also reaches the expiry writes: a subject
 * started afresh, and sign-ups dropped when their window passed.
 */
function variant(policy: CompiledPolicy, duplicateWindow: number, short: boolean): CompiledPolicy {
  const expiry = short ? { stateHorizonMs: 30 * DAY_MS, doubleOptInConfirmationMs: DAY_MS } : {};
  return { ...policy, options: { ...policy.options, duplicateWindow, ...expiry } };
}

function states(p: GovernanceProcessor): Map<string, string> {
  return new Map([...p.subjectKeys()].map((k) => [k, JSON.stringify(p.exportState(k))]));
}

describe('a failed event leaves no trace (undo log over a generated stream)', () => {
  let failNext = false;
  beforeEach(() => {
    for (const stage of ['source', 'evidence'] as const) {
      const original = RecordEmitter.prototype[stage] as (...args: unknown[]) => unknown;
      jest.spyOn(RecordEmitter.prototype, stage).mockImplementation(function (
        this: RecordEmitter,
        ...args: unknown[]
      ) {
        if (failNext) {
          failNext = false;
          throw new Error('defect after the decision');
        }
        return original.apply(this, args);
      } as never);
    }
  });
  afterEach(() => jest.restoreAllMocks());

  // 256: the example policy's window; 1: every append pushes an entry out (evidence appends two).
  it.each([
    [256, false],
    [1, false],
    [256, true],
  ])('duplicate window %i, short expiry %s', (window, short) => {
    const policy = variant(examplePolicy, window, short);
    const lines = generateEventStream({ seed: 11, customers: 200 });
    expect(lines.length).toBeGreaterThan(800);
    const failing = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const clean = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    let failed = 0;
    // The write paths the stream must reach for the proof to mean anything (counted on the clean run).
    const reached = { links: 0, deviceFolds: 0 };
    for (const line of lines) {
      failNext = true;
      const attempt = failing.process(line);
      if (!failNext) {
        // The emitter was reached and threw: the event must be an internal error that changed nothing.
        failed++;
        expect(attempt.deadLetter?.code).toBe('internal-error');
        expect(attempt.stateChanges).toEqual([]);
        expect(states(failing)).toEqual(states(clean));
      }
      failNext = false;
      const expected = clean.process(line);
      expect(JSON.stringify(failing.process(line))).toBe(JSON.stringify(expected));
      // Two states changed: a source event's identity link (person and identifier), or consent
      // evidence on a linked device (the person's state and the device's own).
      if (expected.stateChanges.length > 1)
        reached[expected.outcome === 'source' ? 'links' : 'deviceFolds']++;
    }
    expect(reached.links).toBeGreaterThan(0);
    expect(reached.deviceFolds).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(lines.length / 2);
    expect(states(failing)).toEqual(states(clean));
  });
});
