import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GovernanceProcessor, loadPolicy } from '@app/policy';
import { generateEventStream } from '../cli/govern/event-stream.generator';

// Decision core vs a same-run baseline of JSON.parse + JSON.stringify of the same event strings.
// Events are generated once up front; outputs are serialised (as the engine would) and dropped.

// Event count: first argument, or BENCH_EVENTS, default 1,000,000 (smaller counts for profiling).
const TARGET = Number(process.argv[2] ?? process.env.BENCH_EVENTS ?? 1_000_000);
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

function baseline(): number {
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const e of events) bytes += JSON.stringify(JSON.parse(e) as unknown).length;
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes === 0) throw new Error('no output');
  return events.length / s;
}

function decide(sample: readonly string[] = events): number {
  // A fresh processor per call: the measured run starts with no consent state or caches.
  const processor = new GovernanceProcessor(policy, { pseudonymKey: 'bench-key' });
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const e of sample) {
    const r = processor.process(e);
    for (const rec of r.records) bytes += JSON.stringify(rec.value).length;
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes === 0) throw new Error('no output');
  return sample.length / s;
}

// Warm up both paths so the JIT is fair to each: the baseline on all events, the decision core on
// a slice with a throwaway processor (its state is discarded; the measured run starts empty).
baseline();
decide(events.slice(0, Math.min(events.length, 100_000)));
const baselinePerS = baseline();
const eventsPerS = decide();
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`events: ${events.length}`);
console.log(`decision core (process + serialise records): ${fmt(eventsPerS)} events/s`);
console.log(`baseline (JSON.parse + JSON.stringify):       ${fmt(baselinePerS)} events/s`);
console.log(
  JSON.stringify({
    bench: 'policy',
    events: events.length,
    events_per_s: Math.round(eventsPerS),
    baseline_per_s: Math.round(baselinePerS),
    ratio: Math.round((eventsPerS / baselinePerS) * 1000) / 1000,
  }),
);
