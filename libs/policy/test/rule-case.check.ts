import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { LineageRecord, RenderedDecision } from '@app/contracts';
import { canonicalSubjectKey, renderLineage, type CompiledPolicy, type ProcessResult } from '@app/policy';
import {
  consentEvent,
  parseRuleCases,
  sourceEvent,
  type Expectation,
  type RuleCase,
} from './rule-fixture.harness';

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
 * What a run produced for one case, by the case's own event ids: its lineage records, the decisions
 * rendered from them (lineage v2) and, per destination record, the event it came from. Built from `govern dry-run`'s processor results or
 * from what the engine wrote to its topics, so one check serves both.
 */
export interface CaseOutput {
  readonly lineage: readonly LineageRecord[];
  /** The decisions per destination, rendered from the lineage against the case's policy. */
  readonly decisions: readonly RenderedDecision[];
  /** Destination records; `data` is a data record's payload (what the destination receives). */
  readonly records: readonly CaseRecord[];
}

/** One destination record of a case: its event, its destination and, for data, what it carries. */
export interface CaseRecord {
  readonly eventId: string;
  readonly destination: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The output of processor results (dry-run) under `policy`. */
export function outputOfResults(
  results: ReadonlyMap<string, ProcessResult>,
  policy: CompiledPolicy,
): CaseOutput {
  const lineage: LineageRecord[] = [];
  const decisions: RenderedDecision[] = [];
  const records: CaseRecord[] = [];
  for (const [eventId, r] of results) {
    // An input without a readable id is named by its step (`#n`), as the results are.
    lineage.push(...r.lineage.map((l) => (l.eventId === null ? { ...l, eventId } : l)));
    decisions.push(...renderLineage(policy, r.lineage));
    for (const rec of r.records)
      records.push({
        eventId,
        destination: rec.destination,
        ...(rec.value.kind === 'data' ? { data: rec.value.data } : {}),
      });
  }
  return { lineage, decisions, records };
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
    const got = of.flatMap((l) => (l.kind === 'suppression' ? [l] : []));
    same(
      'suppressions',
      got
        .map((l) => l.destination)
        .sort()
        .join(','),
      [...x.suppressions].sort().join(','),
    );
    // Without an assessment or destination to check, `rule` and `evidence` are the suppressions'.
    if (x.valid === undefined && x.destination === undefined)
      for (const l of got) {
        same(`suppression rule at ${l.destination}`, l.rule, x.rule);
        same(`suppression evidence at ${l.destination}`, l.evidenceId, x.evidence);
      }
  }
  if (x.linked !== undefined) same('linked', linked(of), x.linked);
  if (x.records !== undefined && x.destination !== undefined) {
    const n = out.records.filter((r) => r.eventId === x.event && r.destination === x.destination).length;
    same(`records on ${x.destination}`, n, x.records);
  }
  if (x.sent !== undefined && x.destination !== undefined) {
    const sent = out.records.find(
      (r) => r.eventId === x.event && r.destination === x.destination && r.data !== undefined,
    );
    if (!isDeepStrictEqual(sent?.data, x.sent))
      problems.push(
        `sent to ${x.destination}: expected ${JSON.stringify(x.sent)}, got ${JSON.stringify(sent?.data)}`,
      );
  }
  if (x.destination === undefined) return problems;
  const decision = out.decisions.find((d) => d.eventId === x.event && d.destination === x.destination);
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

/**
 * A case's steps as CloudEvent lines for the live engine, its ids, subjects and evidence ids
 * prefixed so that many cases share one stream without meeting (an identifier in the data that
 * names one of the case's subjects, e.g. a cookie id or an e-mail address to link, is prefixed too,
 * matched by canonical key). The prefix goes after leading whitespace, so a key written as a mail
 * client would (` ANN@Example.dk`) still meets its canonical form. Cases with a changed policy or
 * raw lines are the processor's only (the engine runs the example policy).
 */
export function caseLines(c: RuleCase, prefix: string): string[] | null {
  if (c.policy !== undefined) return null;
  const subjects = new Set<string>();
  for (const step of c.steps) {
    if ('raw' in step) return null;
    const s = 'consent' in step ? step.consent.subject : step.event.subject;
    if (s !== undefined) subjects.add(s);
  }
  const canonical = new Set([...subjects].map(canonicalSubjectKey));
  const key = (v: string): string => v.replace(/^\s*/, (space) => space + prefix);
  const named = (v: unknown): unknown => {
    if (typeof v === 'string') return canonical.has(canonicalSubjectKey(v)) ? key(v) : v;
    if (Array.isArray(v)) return v.map(named);
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, named(x)]));
    return v;
  };
  return c.steps.map((step) => {
    if ('consent' in step) {
      const s = step.consent;
      const confirms = s.extra?.confirms;
      const extra =
        typeof confirms === 'string' ? { ...s.extra, confirms: prefixEvidence(confirms, prefix) } : s.extra;
      const event = consentEvent({
        ...s,
        id: prefix + s.id,
        subject: key(s.subject),
        ...(extra ? { extra } : {}),
      });
      return JSON.stringify(event);
    }
    if ('event' in step) {
      const e = step.event;
      return JSON.stringify(
        sourceEvent({
          ...e,
          id: prefix + e.id,
          ...(e.subject === undefined ? {} : { subject: key(e.subject) }),
          data: named(e.data),
        }),
      );
    }
    return step.raw;
  });
}

function prefixEvidence(id: string, prefix: string): string {
  return id.startsWith('ev-') ? `ev-${prefix}${id.slice(3)}` : prefix + id;
}

/** One case's part of what the engine wrote, with the case's own ids again (see {@link caseLines}). */
export function caseOutputOf(
  policy: CompiledPolicy,
  prefix: string,
  lineage: readonly LineageRecord[],
  records: readonly (Omit<CaseRecord, 'eventId'> & { readonly eventId: string | null })[],
): CaseOutput {
  const own = (id: string | null): string | null =>
    id !== null && id.startsWith(prefix) ? id.slice(prefix.length) : null;
  const evidence = (id: string | null): string | null =>
    id !== null && id.startsWith(`ev-${prefix}`) ? `ev-${id.slice(3 + prefix.length)}` : id;
  const mine: LineageRecord[] = [];
  for (const l of lineage) {
    const eventId = own(l.eventId);
    if (eventId === null) continue;
    if (l.kind === 'suppression' || l.kind === 'consent-assessment')
      mine.push({ ...l, eventId, evidenceId: evidence(l.evidenceId) as string });
    else mine.push({ ...l, eventId });
  }
  // Rendered with the engine's ids (the record's evidence list names them), then given back the case's.
  const decisions = renderLineage(policy, lineage).flatMap((d) => {
    const eventId = own(d.eventId);
    if (eventId === null) return [];
    return [
      {
        ...d,
        eventId,
        attributes: d.attributes.map((a) => ({ ...a, evidenceId: evidence(a.evidenceId) })),
        ...(d.contact === undefined
          ? {}
          : { contact: { ...d.contact, evidenceId: evidence(d.contact.evidenceId) } }),
      },
    ];
  });
  return {
    lineage: mine,
    decisions,
    records: records.flatMap((r) => {
      const eventId = own(r.eventId);
      return eventId === null ? [] : [{ ...r, eventId }];
    }),
  };
}
