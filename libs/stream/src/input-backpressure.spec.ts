import { type KafkaMessage } from 'kafkajs';
import { Backpressure, queuedBytes } from './input-backpressure';

function consumer() {
  const calls: string[] = [];
  return {
    calls,
    pause: (l: { topic: string; partitions: number[] }[]) => void calls.push(`pause ${l[0]?.topic}`),
    resume: (l: { topic: string; partitions: number[] }[]) => void calls.push(`resume ${l[0]?.topic}`),
  };
}

describe('Backpressure', () => {
  it('pauses by records and resumes below half', () => {
    const c = consumer();
    const b = new Backpressure(c, 10, 1_000_000);
    b.queued('t', 0, 9, 10);
    expect(c.calls).toEqual([]);
    b.queued('t', 0, 10, 10);
    expect(c.calls).toEqual(['pause t']);
    b.taken('t', 0, 5, 5);
    expect(c.calls).toEqual(['pause t']);
    b.taken('t', 0, 4, 5);
    expect(c.calls).toEqual(['pause t', 'resume t']);
  });

  it('pauses by queued bytes even when few records are queued, and resumes below half of them', () => {
    const c = consumer();
    const b = new Backpressure(c, 10_000, 1_000);
    b.queued('t', 1, 1, 600);
    expect(c.calls).toEqual([]);
    b.queued('t', 1, 2, 600);
    expect(c.calls).toEqual(['pause t']);
    b.taken('t', 1, 1, 600);
    expect(c.calls).toEqual(['pause t']);
    b.taken('t', 1, 0, 600);
    expect(c.calls).toEqual(['pause t', 'resume t']);
  });

  it('starts counting afresh after resumeAll (the next claim starts with empty queues)', () => {
    const c = consumer();
    const b = new Backpressure(c, 10_000, 1_000);
    b.queued('t', 0, 1, 900);
    b.resumeAll();
    b.queued('t', 0, 1, 900);
    expect(c.calls).toEqual([]);
  });

  it('counts key, value and header bytes of queued messages', () => {
    const m = { key: Buffer.from('ab'), value: Buffer.from('cde'), headers: { h: Buffer.from('xy') } };
    expect(queuedBytes([m as unknown as KafkaMessage])).toBe(2 + 3 + 1 + 2);
  });
});
