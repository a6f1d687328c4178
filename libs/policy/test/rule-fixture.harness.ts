import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import {
  type CompiledPolicy,
  DEMO_PSEUDONYM_KEYRING,
  GovernanceProcessor,
  loadPolicy,
  type ProcessResult,
} from '@app/policy';

/** Shared test helpers: the example policy, CloudEvent builders, a processor run. */
export const EXAMPLE_POLICY_TEXT = readFileSync(
  join(__dirname, '..', '..', '..', 'policies', 'example.yaml'),
  'utf8',
);
export const examplePolicy: CompiledPolicy = loadPolicy(EXAMPLE_POLICY_TEXT, { fileName: 'example.yaml' });

export interface ConsentStep {
  id: string;
  subject: string;
  time: string;
  kind: string;
  form?: string;
  action?: string;
  purposes?: string[];
  omit?: string[];
  extra?: Record<string, unknown>;
}

export interface EventStep {
  id: string;
  subject?: string;
  time: string;
  source: string;
  type: string;
  data: unknown;
}

/** A consent evidence CloudEvent with every R4 field filled unless listed in `omit`. */
export function consentEvent(c: ConsentStep): Record<string, unknown> {
  const data: Record<string, unknown> = {
    evidenceId: `ev-${c.id}`,
    kind: c.kind,
    subject: { key: c.subject },
    timestamp: c.time,
    cmp: 'own-cmp/1.0',
    formVersion: c.form ?? 'banner-v1',
    textVersion: 'sha256:test',
    action: c.action ?? 'accept_all',
    uiLayer: 1,
    language: 'da',
    purposes: c.purposes ?? [],
    sourceChannel: 'web',
    ...(c.extra ?? {}),
  };
  for (const f of c.omit ?? []) delete data[f];
  return {
    specversion: '1.0',
    id: c.id,
    source: 'consent-service',
    type: 'consent.evidence',
    time: c.time,
    subject: c.subject,
    data,
  };
}

export function sourceEvent(e: EventStep): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: e.id,
    source: e.source,
    type: e.type,
    time: e.time,
    subject: e.subject,
    data: e.data,
  };
}

/** Runs steps through a fresh processor; returns results by event id. */
export function run(
  steps: ({ consent: ConsentStep } | { event: EventStep } | { raw: string })[],
  policy = examplePolicy,
): Map<string, ProcessResult> {
  const processor = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  const out = new Map<string, ProcessResult>();
  steps.forEach((step, i) => {
    const r =
      'consent' in step
        ? processor.process(consentEvent(step.consent))
        : 'event' in step
          ? processor.process(sourceEvent(step.event))
          : processor.process(step.raw, { line: i + 1 });
    out.set(r.eventId ?? `#${i + 1}`, r);
  });
  return out;
}

/** One expectation of a rule case: each given field checks one part of one result. */
export interface Expectation {
  event: string;
  destination?: string;
  attribute?: string;
  outcome?: string;
  rule?: string;
  /** The attribute's reason code (`consent-withdrawn`, `no-consent` ...). */
  reason?: string;
  /** The purpose the attribute decision names: the one relied on, or the consent that is missing. */
  purpose?: string;
  /** The evidence id the attribute decision (or the contact gate) cites. */
  evidence?: string;
  mayContact?: boolean;
  trackOpens?: boolean;
  suppressions?: string[];
  deadLetter?: string;
  valid?: boolean;
  records?: number;
  linked?: boolean;
  /** The `data` of the destination's data record, exactly (what the destination receives). */
  sent?: Record<string, unknown>;
}

/** A change to the example policy: `replace` must occur exactly once. */
export interface PolicyChange {
  replace: string;
  with: string;
}

/** One rule case of test/rules/*.yaml. */
export interface RuleCase {
  name: string;
  /** The auditor's story: what happened, and what each destination may receive under which rule. */
  story?: string;
  policy?: PolicyChange[];
  steps: ({ consent: ConsentStep } | { event: EventStep } | { raw: string })[];
  expect: Expectation[];
}

// The keys each part of a case may have. A misspelt key would otherwise be ignored and the
// expectation it meant to state silently never checked.
const CASE_KEYS = ['name', 'story', 'policy', 'steps', 'expect'];
const POLICY_CHANGE_KEYS = ['replace', 'with'];
const STEP_KEYS = ['consent', 'event', 'raw'];
const CONSENT_STEP_KEYS = ['id', 'subject', 'time', 'kind', 'form', 'action', 'purposes', 'omit', 'extra'];
const EVENT_STEP_KEYS = ['id', 'subject', 'time', 'source', 'type', 'data'];
const EXPECTATION_KEYS = [
  'event',
  'destination',
  'attribute',
  'outcome',
  'rule',
  'reason',
  'purpose',
  'evidence',
  'mayContact',
  'trackOpens',
  'suppressions',
  'deadLetter',
  'valid',
  'records',
  'linked',
  'sent',
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `value` at `where` must be a mapping with `allowed` keys only. */
function checkKeys(
  value: unknown,
  where: string,
  allowed: readonly string[],
  fail: (message: string) => never,
): Record<string, unknown> {
  if (!isObject(value)) return fail(`"${where}" must be a mapping`);
  for (const key of Object.keys(value)) if (!allowed.includes(key)) fail(`unknown key "${key}" in ${where}`);
  return value;
}

/** Each element of the optional list at `where` must be a mapping with `allowed` keys only. */
function checkEach(
  list: unknown,
  where: string,
  allowed: readonly string[],
  fail: (message: string) => never,
): Record<string, unknown>[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return fail(`"${where}" must be a list`);
  return list.map((item, i) => checkKeys(item, `${where}[${i}]`, allowed, fail));
}

/**
 * Parses one file of rule cases and rejects any key the runner does not know, anywhere in a case
 * (case, policy change, step, expectation), naming the file, the case and the key.
 */
export function parseRuleCases(fileName: string, text: string): RuleCase[] {
  const file = basename(fileName);
  const parsed: unknown = parse(text);
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a list of rule cases`);
  return parsed.map((c: unknown, i) => {
    const name = isObject(c) && typeof c.name === 'string' ? c.name : `#${i + 1}`;
    const fail = (message: string): never => {
      throw new Error(`${file}: case "${name}": ${message}`);
    };
    if (!isObject(c)) return fail('must be a mapping');
    for (const key of Object.keys(c)) if (!CASE_KEYS.includes(key)) fail(`unknown key "${key}"`);
    if (typeof c.name !== 'string') fail('"name" is required');
    checkEach(c.policy, 'policy', POLICY_CHANGE_KEYS, fail);
    checkEach(c.steps, 'steps', STEP_KEYS, fail).forEach((step, i) => {
      if (Object.keys(step).length !== 1) fail(`steps[${i}] needs exactly one of ${STEP_KEYS.join(', ')}`);
      if (step.consent !== undefined) checkKeys(step.consent, `steps[${i}].consent`, CONSENT_STEP_KEYS, fail);
      if (step.event !== undefined) checkKeys(step.event, `steps[${i}].event`, EVENT_STEP_KEYS, fail);
    });
    checkEach(c.expect, 'expect', EXPECTATION_KEYS, fail);
    return c as unknown as RuleCase;
  });
}
