import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { costByKind, formatCostByKind } from './policy-breakdown';

// Decision core vs a same-run baseline of JSON.parse + JSON.stringify of the same event strings.
// Events are generated once up front; outputs are serialised (as the engine would) and dropped.
// The two loops run interleaved in slices (processor slice, baseline slice, ...) so both see the
// same machine load; times are summed per loop. Wall-clock rates give the result line; CPU-time
// rates (process.cpuUsage around each slice) are reported too, as the machine is shared and noisy.

// Event count: first argument, or BENCH_EVENTS, default 1,000,000 (smaller counts for profiling).
// BENCH_BREAKDOWN=1 adds a second pass after the result line: cost per kind of event (see
// policy-breakdown.ts); it does not change the figures above it.
const TARGET = Number(process.argv[2] ?? process.env.BENCH_EVENTS ?? 1_000_000);
const SLICE = 100_000;
const policyText = readFileSync(join(__dirname, '..', '..', 'policies', 'example.yaml'), 'utf8');
const policy = loadPolicy(policyText, { fileName: 'example.yaml' });

const events: string[] = [];
for (let seed = 1; events.length < TARGET; seed++) {
  for (const line of generateEventStream({ seed, customers: 2000 })) {
    if (events.length >= TARGET) break;
    // Malformed lines would make the baseline throw; the bench measures well-formed traffic.
    if (line.endsWith('}')) events.push(line);
  }
}

interface Timing {
  wallNs: number;
  cpuUs: number;
}

function baseline(from: number, to: number, t: Timing): void {
  let bytes = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = from; i < to; i++) bytes += JSON.stringify(JSON.parse(events[i] as string) as unknown).length;
  t.wallNs += Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  t.cpuUs += used.user + used.system;
  if (bytes === 0 && to > from) throw new Error('no output');
}

function decide(processor: GovernanceProcessor, from: number, to: number, t: Timing): void {
  let bytes = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = from; i < to; i++) {
    const r = processor.process(events[i] as string);
    for (const rec of r.records) bytes += JSON.stringify(rec.value).length;
  }
  t.wallNs += Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  t.cpuUs += used.user + used.system;
  if (bytes === 0 && to > from) throw new Error('no output');
}

// Warm up both paths so the JIT is fair to each, on a slice with a throwaway processor (its state
// is discarded; the measured run starts with no consent state or caches).
const warm = Math.min(events.length, SLICE);
const scratch: Timing = { wallNs: 0, cpuUs: 0 };
baseline(0, warm, scratch);
decide(new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING }), 0, warm, scratch);

// Measured run: one processor whose state continues across its slices.
const processor = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
const core: Timing = { wallNs: 0, cpuUs: 0 };
const base: Timing = { wallNs: 0, cpuUs: 0 };
for (let from = 0; from < events.length; from += SLICE) {
  const to = Math.min(events.length, from + SLICE);
  decide(processor, from, to, core);
  baseline(from, to, base);
}

const eventsPerS = events.length / (core.wallNs / 1e9);
const baselinePerS = events.length / (base.wallNs / 1e9);
const eventsPerCpuS = events.length / (core.cpuUs / 1e6);
const baselinePerCpuS = events.length / (base.cpuUs / 1e6);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const r3 = (n: number): number => Math.round(n * 1000) / 1000;
console.log(`events: ${events.length} (interleaved slices of ${SLICE})`);
console.log(
  `decision core (process + serialise records): ${fmt(eventsPerS)} events/s wall, ${fmt(eventsPerCpuS)} events/cpu-s`,
);
console.log(
  `baseline (JSON.parse + JSON.stringify):       ${fmt(baselinePerS)} events/s wall, ${fmt(baselinePerCpuS)} events/cpu-s`,
);
console.log(
  JSON.stringify({
    bench: 'policy',
    events: events.length,
    events_per_s: Math.round(eventsPerS),
    baseline_per_s: Math.round(baselinePerS),
    ratio: r3(eventsPerS / baselinePerS),
    events_per_cpu_s: Math.round(eventsPerCpuS),
    baseline_per_cpu_s: Math.round(baselinePerCpuS),
    cpu_ratio: r3(eventsPerCpuS / baselinePerCpuS),
  }),
);

if (process.env.BENCH_BREAKDOWN === '1') {
  console.log('\ncost per kind of event (each event timed alone, fresh processor):');
  console.log(
    formatCostByKind(
      costByKind(events, new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING })),
    ),
  );
}
