import { RecordFailures } from './record-failures';

const at = { topic: 'source.crm', partition: 2, offset: '41' };

describe('RecordFailures', () => {
  it('lets a record fail within its budget, then dead-letters it as internal-error by error name', () => {
    const failures = new RecordFailures(3);
    expect(failures.failed(at, 'RangeError')).toBe(1);
    expect(failures.verdict(at)).toBeUndefined();
    expect(failures.failed(at, 'RangeError')).toBe(2);
    expect(failures.verdict(at)).toBeUndefined();
    expect(failures.failed(at, 'TypeError')).toBe(3);
    expect(failures.verdict(at)).toEqual({
      code: 'internal-error',
      reason: 'the decision core failed on this record 3 times (last error: TypeError)',
    });
  });

  it('counts per record: another offset of the same partition has its own budget', () => {
    const failures = new RecordFailures(1);
    failures.failed(at, 'Error');
    expect(failures.verdict(at)?.code).toBe('internal-error');
    expect(failures.verdict({ ...at, offset: '42' })).toBeUndefined();
  });

  it('forgets a record once its step committed, so a transient failure costs nothing later', () => {
    const failures = new RecordFailures(2);
    failures.failed(at, 'Error');
    failures.settled(at);
    expect(failures.size).toBe(0);
    failures.failed(at, 'Error');
    expect(failures.verdict(at)).toBeUndefined();
  });

  it('skips a deterministic failure on the next attempt', () => {
    const failures = new RecordFailures(3);
    failures.skip(at, { code: 'output-too-large', reason: 'too large' });
    expect(failures.verdict(at)).toEqual({ code: 'output-too-large', reason: 'too large' });
  });
});
