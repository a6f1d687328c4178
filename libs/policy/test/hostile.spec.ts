import { join } from 'node:path';
import { loadCorpus, runCase, type CaseRun } from './hostile.harness';

/**
 * The hostile-input corpus (test/hostile/*.yaml): the core never throws, refuses what it cannot
 * read, never grants on it, honours every wish to stop, and never copies an input value into a
 * reason or lineage record (every made-up value in the corpus carries the marker `XMARK`).
 */
const corpus = loadCorpus(join(__dirname, 'hostile'));

/** Purposes a consent-based withdrawal of everything must take away after the `grant` setup. */
const CONSENT_PURPOSES = ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing', 'email.newsletter'];

function check(run: CaseRun, expectation: string): void {
  const [what, arg] = expectation.split(' ');
  const { result, state } = run;
  switch (what) {
    case 'dead-letter':
      expect(result.deadLetter?.code).toBe(arg);
      return;
    case 'no-dead-letter':
      expect(result.deadLetter).toBeUndefined();
      return;
    case 'valid':
    case 'invalid':
      expect(result.assessment?.valid).toBe(what === 'valid');
      return;
    case 'grants':
      expect(state?.purposes[arg as string]).toBeDefined();
      return;
    case 'must-not-grant':
      expect(state?.purposes[arg as string]).toBeUndefined();
      return;
    case 'must-not-contact':
      expect(state?.marketing ?? []).toEqual([]);
      return;
    case 'must-withdraw':
      for (const p of CONSENT_PURPOSES)
        expect({ p, grant: state?.purposes[p] }).toEqual({ p, grant: undefined });
      expect(state?.marketing).toEqual([]);
      expect(result.records.filter((r) => r.value.kind === 'suppression').length).toBeGreaterThan(0);
      return;
    case 'must-object':
      expect(state?.objection).not.toBeNull();
      expect(state?.marketing).toEqual([]);
      return;
    case 'forwards':
      expect(result.records.some((r) => r.destination === arg && r.value.kind === 'data')).toBe(true);
      return;
    case 'forwards-no-marker':
      // Undeclared members, at any depth and whatever their key, never reach a destination.
      expect(JSON.stringify(result.records)).not.toContain('XMARK');
      return;
    default:
      throw new Error(`unknown expectation ${expectation}`);
  }
}

describe('hostile input corpus', () => {
  it('holds at least 150 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
  });

  it.each(corpus.map(({ file, c }) => [`${file}: ${c.name}`, c] as const))('%s', (_name, c) => {
    let run: CaseRun | undefined;
    expect(() => {
      run = runCase(c);
    }).not.toThrow();
    const done = run as CaseRun;
    for (const x of c.expect) check(done, x);
    if (c.reason !== undefined) expect(done.result.deadLetter?.reason).toContain(c.reason);
    // No input value in any reason or lineage record.
    for (const r of done.everything) {
      expect(JSON.stringify(r.lineage)).not.toContain('XMARK');
      expect(r.deadLetter?.reason ?? '').not.toContain('XMARK');
      expect(JSON.stringify(r.assessment ?? null)).not.toContain('XMARK');
    }
  });
});
