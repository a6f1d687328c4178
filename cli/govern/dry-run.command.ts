import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GovernedRecord, type SuppressionStateRecord } from '@app/contracts';
import {
  countReplayed,
  DEMO_PSEUDONYM_KEYRING,
  type GovernanceProcessor,
  type PseudonymKeyring,
  renderLineage,
  replayLines,
  type ReplayedEvent,
} from '@app/policy';
import { latestPerKey } from '@app/stream';
import { readPolicyFile } from './policy-input';
import type { CommandOutput } from './validate.command';

/** Exit code of dry-run and explain when the policy or input cannot be used. */
export const EXIT_UNUSABLE_INPUT = 2;

/** Options of {@link replay}. */
export interface ReplayOptions {
  readonly policyPath: string;
  readonly inputPath: string;
  /**
   * The pseudonym keyring; the engine must be given the same to compare. Absent: the public demo
   * keyring, whose pseudonyms (`demo:…`) anyone can reverse by guessing identifiers.
   */
  readonly pseudonymKeys?: PseudonymKeyring;
  /**
   * The topic every line was read from, as the policy names it (`source.crm`): each event is then
   * checked against that topic's declaration, as the engine checks what it reads (a dump of one
   * topic). Absent: a mixed file, and an event's `source` is not checked against a topic.
   */
  readonly topic?: string;
}

/** A replay, or what to print when the policy or input cannot be used. */
export type Replayed =
  | {
      readonly results: ReplayedEvent[];
      readonly processor: GovernanceProcessor;
      readonly failure?: undefined;
    }
  | { readonly failure: CommandOutput };

/**
 * Replays an NDJSON file through the processor, one result per non-empty line, in file order. An
 * invalid policy comes back as `failure`: every error by path, as `govern validate` prints them.
 */
export function replay(options: ReplayOptions): Replayed {
  const loaded = readPolicyFile(options.policyPath, EXIT_UNUSABLE_INPUT);
  if (loaded.failure !== undefined) return loaded;
  let input: string;
  try {
    input = readFileSync(options.inputPath, 'utf8');
  } catch {
    return {
      failure: { exitCode: EXIT_UNUSABLE_INPUT, lines: [`${options.inputPath}: cannot read the file`] },
    };
  }
  const { topic } = options;
  if (topic !== undefined && !loaded.policy.inputTopics.has(topic))
    return {
      failure: {
        exitCode: EXIT_UNUSABLE_INPUT,
        lines: [
          `--topic: not an input topic of the policy (declared: ${[...loaded.policy.inputTopics.keys()].join(', ')})`,
        ],
      },
    };
  return replayLines(
    loaded.policy,
    input,
    { pseudonymKeys: options.pseudonymKeys ?? DEMO_PSEUDONYM_KEYRING },
    topic === undefined ? undefined : () => topic,
  );
}

/** A governed record as dry-run writes it: the Kafka key, value and headers of the topic's record. */
const recordLine = (r: GovernedRecord): string =>
  JSON.stringify({ key: r.key, value: r.value, headers: r.headers });

/**
 * `govern dry-run`: writes per-destination NDJSON, per destination each subject's current
 * suppressed purposes (what its compacted suppression topic holds), lineage and dead letters;
 * prints a summary.
 */
export function dryRunCommand(options: ReplayOptions & { readonly outDir?: string }): CommandOutput {
  const replayed = replay(options);
  if (replayed.failure !== undefined) return replayed.failure;
  const { results, processor } = replayed;
  const perDestination = new Map<string, string[]>(processor.policy.destinations.map((d) => [d.name, []]));
  const suppressed = new Map<string, SuppressionStateRecord[]>(
    processor.policy.destinations.map((d) => [d.name, []]),
  );
  const lineage: string[] = [];
  const deadLetters: string[] = [];
  const forwarded = new Map<string, number>();
  const withheld = new Map<string, number>();
  const suppressions = new Map<string, number>();
  const problems: string[] = [];
  const inc = (m: Map<string, number>, k: string): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (const { line, result } of results) {
    for (const r of result.records) {
      perDestination.get(r.destination)?.push(recordLine(r));
      if (r.value.kind === 'suppression') inc(suppressions, r.destination);
    }
    for (const s of result.suppressionStates ?? []) suppressed.get(s.destination)?.push(s);
    for (const l of result.lineage) lineage.push(JSON.stringify(l));
    // The summary reads the decisions back from the v2 lineage, as an auditor would (R27).
    for (const d of renderLineage(processor.policy, result.lineage)) {
      if (d.outcome !== 'withheld') inc(forwarded, d.destination);
      for (const a of d.attributes)
        if (a.outcome === 'withhold') inc(withheld, `${d.destination}\u0000${a.reason} [${a.rule}]`);
    }
    if (result.deadLetter !== undefined) {
      deadLetters.push(
        JSON.stringify({
          line,
          eventId: result.eventId,
          ...result.deadLetter,
          policyVersion: processor.policy.version,
        }),
      );
      problems.push(`line ${line}: ${result.deadLetter.code}: ${result.deadLetter.reason}`);
    }
  }
  // R23's anonymous counts: every figure the counting publishes, in input order, with its lineage.
  const figures = new Map<string, string[]>(processor.policy.aggregates.map((a) => [a.name, []]));
  const figureKeys = new Map<string, Set<string>>(
    processor.policy.aggregates.map((a) => [a.name, new Set()]),
  );
  for (const { record, lineage: l } of countReplayed(
    processor.policy,
    results.map((r) => r.result),
  )) {
    figures
      .get(record.aggregate)
      ?.push(JSON.stringify({ key: record.key, value: record.value, headers: record.headers }));
    figureKeys.get(record.aggregate)?.add(record.key);
    lineage.push(JSON.stringify(l));
  }
  if (options.outDir !== undefined) {
    mkdirSync(options.outDir, { recursive: true });
    const write = (name: string, rows: string[]): void =>
      writeFileSync(join(options.outDir as string, name), rows.length === 0 ? '' : `${rows.join('\n')}\n`);
    for (const [name, rows] of perDestination) write(`${name}.ndjson`, rows);
    // Destination names have no dot, so `<name>.suppressions` never names another destination's file.
    // Compaction keeps the latest record per key and drops tombstones (nothing suppressed any more).
    for (const [name, records] of suppressed)
      write(
        `${name}.suppressions.ndjson`,
        latestPerKey(records)
          .filter((s) => s.value !== null)
          .map((s) => JSON.stringify({ key: s.key, value: s.value, headers: s.headers })),
      );
    // `<aggregate>.counts.ndjson`: aggregate and destination names have no dot and never coincide.
    for (const [name, rows] of figures) write(`${name}.counts.ndjson`, rows);
    write('lineage.ndjson', lineage);
    write('dead-letters.ndjson', deadLetters);
  }
  const out: string[] = [`policy ${processor.policy.version}: ${results.length} event(s) replayed`];
  if (options.pseudonymKeys === undefined)
    out.push(
      'pseudonyms: public demo keyring (key id demo), reversible by guessing: do not publish this output for real data (set GOVERN_PSEUDONYM_KEYS and GOVERN_PSEUDONYM_ACTIVE_KEY)',
    );
  else out.push(`pseudonyms: key id ${options.pseudonymKeys.activeKeyId}`);
  for (const d of processor.policy.destinations) {
    out.push(
      `destination ${d.name}: ${forwarded.get(d.name) ?? 0} record(s) forwarded, ${suppressions.get(d.name) ?? 0} suppression(s)`,
    );
    const rows = [...withheld].filter(([k]) => k.startsWith(`${d.name}\u0000`)).sort((a, b) => b[1] - a[1]);
    for (const [k, n] of rows) out.push(`  withheld ${n} attribute(s): ${k.split('\u0000')[1]}`);
  }
  for (const a of processor.policy.aggregates)
    out.push(
      `aggregate ${a.name}: ${figures.get(a.name)?.length ?? 0} figure(s) published for ${figureKeys.get(a.name)?.size ?? 0} campaign, type and day key(s), each a multiple of ${a.minimumCount} events (R23)`,
    );
  out.push(`dead letters: ${deadLetters.length}`);
  for (const p of problems) out.push(`  ${p}`);
  return { exitCode: 0, lines: out };
}
