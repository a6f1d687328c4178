import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyLoadError, formatPolicyError, loadPolicy } from '@app/policy';

/**
 * Hostile policy files: each `NAME.yaml` must be refused at load with an error whose formatted
 * line (`path: message`) contains the text of `NAME.expect`, and with no stack trace anywhere.
 */
const dir = join(__dirname, 'hostile-policies');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.yaml$/, ''),
    text: readFileSync(join(dir, f), 'utf8'),
    expected: readFileSync(join(dir, f.replace(/\.yaml$/, '.expect')), 'utf8').trim(),
  }));

/** The error a load throws; fails the test if it loads or throws anything else. */
function refusal(text: string): PolicyLoadError {
  try {
    loadPolicy(text, { fileName: 'hostile.yaml' });
  } catch (e) {
    if (e instanceof PolicyLoadError) return e;
    throw new Error(`not a PolicyLoadError: ${String(e)}`);
  }
  throw new Error('the policy was accepted');
}

describe('hostile policy files are refused at load, by path, without a stack trace', () => {
  it('the corpus has at least 30 cases, each with its expectation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const c of cases) expect(c.expected).not.toBe('');
  });

  it.each(cases)('$name', ({ text, expected }) => {
    const e = refusal(text);
    const lines = e.errors.map(formatPolicyError);
    expect(lines.join('\n')).toContain(expected);
    expect(e.errors.length).toBeLessThanOrEqual(21);
    for (const line of [...lines, e.message]) expect(line).not.toMatch(/\n\s+at /);
  });

  it('a file over 1 MiB is refused before it is parsed', () => {
    const big = `version: 1\n# ${'x'.repeat(1_048_576)}\n`;
    expect(refusal(big).errors.map(formatPolicyError)).toEqual([
      `the file is ${big.length} bytes; at most 1048576 are accepted`,
    ]);
  });

  it('deeply nested flow collections are refused with a bounded list of errors', () => {
    const e = refusal(`version: 1\nx: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(e.errors.length).toBeLessThanOrEqual(21);
  });

  it('the base of the corpus is itself a valid policy (each case breaks one thing)', () => {
    const base = cases.find((c) => c.name === 'options-max-event-bytes-huge');
    const text = (base?.text ?? '').replace('maxEventBytes: 2000000000', 'maxEventBytes: 65536');
    expect(() => loadPolicy(text)).not.toThrow();
  });
});
