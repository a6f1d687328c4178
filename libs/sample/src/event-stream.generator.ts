import { HARD_CASES, type HardCase, type SharedDevices, writeHardCase } from './hard-cases';
import { DAY_MS, prng, SampleWriter } from './sample-writer';

/**
 * Deterministic synthetic stream for policies/example.yaml: consent evidence and source events in
 * time order, as NDJSON lines of CloudEvents. Seeded PRNG and a fixed base time, so the same seed
 * gives the same bytes. Every hard case appears once the customer count allows it.
 */
const BASE_TIME = Date.parse('2025-01-06T08:00:00Z');

/** Options of {@link generateEventStream}. */
export interface GenerateOptions {
  readonly seed: number;
  readonly customers: number;
}

/** Generates the stream; returns NDJSON lines (without newlines) in time order. */
export function generateEventStream(options: GenerateOptions): string[] {
  const w = new SampleWriter(options.seed, prng(options.seed));
  const devices: SharedDevices = { last: null };
  for (let i = 0; i < options.customers; i++) {
    const s = `cust-${String(i + 1).padStart(5, '0')}`;
    const cookie = `ck-${options.seed}-${i + 1}`;
    const email = `${s}@example.dk`;
    const t0 = BASE_TIME + Math.floor(w.rnd() * 30 * DAY_MS);
    const kase = HARD_CASES[i % HARD_CASES.length] as HardCase;
    w.push(
      t0,
      w.ce(t0, 'crm', 'customer.updated', s, {
        email,
        firstName: w.pick(['Ane', 'Bo', 'Mette', 'Lars']),
        city: w.pick(['Aarhus', 'Odense', 'Køge']),
      }),
    );
    writeHardCase(kase, { index: i, s, cookie, email, t0 }, w, devices);
    // A few malformed lines for the dead-letter path.
    if (i % 50 === 7) w.pushRaw(t0 + 10, '{"specversion":"1.0","id":"broken');
    if (i % 50 === 23) w.push(t0 + 20, w.ce(t0 + 20, 'pos', 'sale.registered', s, { amount: 1 }));
    if (i % 50 === 37)
      w.push(t0 + 30, w.ce(t0 + 30, 'web', 'page.viewed', undefined, { page: { url: '/x' } }));
  }
  return w.lines();
}
