import { IdempotencyWindow } from './idempotency-window';

describe('IdempotencyWindow', () => {
  it('remembers accepted ids for the window, tells reused ids apart, forgets failed ones', async () => {
    let now = 0;
    const window = new IdempotencyWindow(1000, 100, () => now);
    expect(window.claim('crm/1', 'a')).toEqual({ kind: 'new' });
    const pending = window.claim('crm/1', 'a');
    expect(pending.kind).toBe('pending');
    window.settle('crm/1', true);
    if (pending.kind === 'pending') await expect(pending.done).resolves.toBe(true);
    expect(window.claim('crm/1', 'a')).toEqual({ kind: 'accepted' });
    expect(window.claim('crm/1', 'b')).toEqual({ kind: 'conflict' });

    expect(window.claim('crm/2', 'a')).toEqual({ kind: 'new' });
    window.settle('crm/2', false);
    expect(window.claim('crm/2', 'a')).toEqual({ kind: 'new' });

    now = 1001;
    expect(window.claim('crm/1', 'a')).toEqual({ kind: 'new' });
  });

  it('keeps at most maxIds, dropping the oldest, and settles a dropped pending claim as failed', async () => {
    const window = new IdempotencyWindow(60_000, 2, () => 0);
    window.claim('a', 'x');
    const waiting = window.claim('a', 'x');
    window.claim('b', 'x');
    window.claim('c', 'x');
    if (waiting.kind === 'pending') await expect(waiting.done).resolves.toBe(false);
    expect(window.claim('a', 'x')).toEqual({ kind: 'new' });
  });

  it('remembers nothing with a zero window', () => {
    const window = new IdempotencyWindow(0, 100, () => 0);
    window.claim('a', 'x');
    window.settle('a', true);
    expect(window.claim('a', 'x')).toEqual({ kind: 'new' });
  });
});
