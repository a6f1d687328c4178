import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecisionLineageRecord, LineageRecord } from '@app/contracts';
import type { ProcessResult } from '@app/policy';
import { parseRuleCases, type Expectation, type RuleCase } from './rule-fixture.harness';

/** The directory of the rule cases (auditor scenarios included), one file per group of rules. */
export const RULE_CASE_DIR = join(__dirname, 'rules');

/** Every rule case, files in name order. */
export function loadRuleCases(dir = RULE_CASE_DIR): RuleCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseRuleCases(f, readFileSync(join(dir, f), 'utf8')));
}

/**
 * What a run produced for one case, by the case's own event ids: its lineage records and, per
 * destination record, the event it came from. Built from `govern dry-run`'s processor results or
 * from what the engine wrote to its topics, so one check serves both.
 */
export interface CaseOutput {
  readonly lineage: readonly LineageRecord[];
  readonly records: readonly { readonly eventId: string; readonly destination: string }[];
}

/** The output of processor results (dry-run). */
export function outputOfResults(results: ReadonlyMap<string, ProcessResult>): CaseOutput {
  const lineage: LineageRecord[] = [];
  const records: { eventId: string; destination: string }[] = [];
  for (const [eventId, r] of results) {
    // An input without a readable id is named by its step (`#n`), as the results are.
    lineage.push(...r.lineage.map((l) => (l.eventId === null ? { ...l, eventId } : l)));
    for (const rec of r.records) records.push({ eventId, destination: rec.destination });
  }
  return { lineage, records };
}

/**
 * Checks every expectation of a case against a run's output; returns what differs, one line per
 * expectation part (empty: the case holds). Each given field checks one part of one result.
 */
export function checkCase(c: RuleCase, out: CaseOutput): string[] {
  return c.expect.flatMap((x) => checkExpectation(x, out).map((m) => `${x.event}: ${m}`));
}

function checkExpectation(x: Expectation, out: CaseOutput): string[] {
  const of = out.lineage.filter((l) => l.eventId === x.event);
  if (of.length === 0) return ['no lineage for this event'];
  const problems: string[] = [];
  const same = (what: string, got: unknown, want: unknown): void => {
    if (want !== undefined && got !== want)
      problems.push(`${what}: expected ${String(want)}, got ${String(got)}`);
  };
  if (x.deadLetter !== undefined)
    same('dead letter', of.find((l) => l.kind === 'dead-letter')?.code, x.deadLetter);
  if (x.valid !== undefined) {
    const a = of.find((l) => l.kind === 'consent-assessment');
    same('valid', a?.valid, x.valid);
    same('assessment rule', a?.rule, x.rule);
  }
  if (x.suppressions !== undefined) {
    const got = of.flatMap((l) => (l.kind === 'suppression' ? [l.destination] : [])).sort();
    same('suppressions', got.join(','), [...x.suppressions].sort().join(','));
  }
  if (x.linked !== undefined) same('linked', linked(of), x.linked);
  if (x.records !== undefined && x.destination !== undefined) {
    const n = out.records.filter((r) => r.eventId === x.event && r.destination === x.destination).length;
    same(`records on ${x.destination}`, n, x.records);
  }
  if (x.destination === undefined) return problems;
  const decision = of.find(
    (l): l is DecisionLineageRecord => l.kind === 'decision' && l.destination === x.destination,
  );
  if (decision === undefined) return [...problems, `no decision for ${x.destination}`];
  if (x.mayContact !== undefined) {
    same('mayContact', decision.contact?.mayContact, x.mayContact);
    if (x.attribute === undefined) {
      same('contact rule', decision.contact?.rule, x.rule);
      same('contact evidence', decision.contact?.evidenceId, x.evidence);
    }
  }
  if (x.trackOpens !== undefined) same('trackOpens', decision.contact?.trackOpens, x.trackOpens);
  if (x.attribute !== undefined) {
    const a = decision.attributes.find((at) => at.path === x.attribute);
    if (a === undefined) return [...problems, `no decision for attribute ${x.attribute}`];
    same(`${x.attribute} outcome`, a.outcome, x.outcome);
    same(`${x.attribute} rule`, a.rule, x.rule);
    same(`${x.attribute} reason`, a.reason, x.reason);
    same(`${x.attribute} purpose`, a.purpose, x.purpose);
    same(`${x.attribute} evidence`, a.evidenceId, x.evidence);
  }
  return problems;
}

/** The identity link's outcome, or undefined when the event made none. */
function linked(of: readonly LineageRecord[]): boolean | undefined {
  for (const l of of) if (l.kind === 'identity-link') return l.linked;
  return undefined;
}
