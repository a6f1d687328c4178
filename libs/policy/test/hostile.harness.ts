import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  DEMO_PSEUDONYM_KEYRING,
  type ExportedState,
  isQuarantinedState,
  type ProcessResult,
  replayLines,
  type SubjectState,
} from '@app/policy';
import { examplePolicy } from './rule-fixture.harness';

/**
 * The hostile-input corpus: each case sends one piece of input after an optional setup, and
 * states what must (not) follow. Every value the cases make up carries the marker `XMARK`, which
 * must never reach a reason or a lineage record.
 */
export interface HostileCase {
  name: string;
  /** Setup before the case: `grant` (cookie and newsletter consents), `objection`, `cookie` (C1 marketing consent). */
  setup?: string[];
  /** An evidence kind (data from a valid base of that kind), `link` (identity link of C1), or `source`. */
  kind?: string;
  /** Top-level data fields replaced (`null` included). */
  set?: Record<string, unknown>;
  /** Top-level data fields removed. */
  unset?: string[];
  /** CloudEvent attributes replaced (`null` removes the attribute). */
  envelope?: Record<string, unknown>;
  /** The whole input line instead (for undecodable input). */
  raw?: string;
  /** Engine input topic, when the case is about the topic. */
  topic?: string;
  /** Each: `dead-letter <code>`, `no-dead-letter`, `valid`, `invalid`, `grants <p>`, `must-not-grant <p>`, `must-not-contact`, `must-withdraw`, `must-object`, `forwards <destination>` (a data record), `forwards-no-marker` (no governed record holds `XMARK`). */
  expect: string[];
  /** A substring the dead-letter reason must contain. */
  reason?: string;
}

const CASE_KEYS = ['name', 'setup', 'kind', 'set', 'unset', 'envelope', 'raw', 'topic', 'expect', 'reason'];

export const SUBJECT = 'bob@example.com';
const SETUP_TIME = '2025-03-01T10:00:00Z';
const CASE_TIME = '2025-03-02T10:00:00Z';

const BASE: Record<string, Record<string, unknown>> = {
  'cookie-banner': { formVersion: 'banner-v1', action: 'accept_all', purposes: [] },
  'marketing-consent': {
    formVersion: 'competition-2025',
    action: 'checkbox_ticked',
    purposes: ['email.newsletter'],
  },
  'double-opt-in-confirmation': { confirms: 'ev-setup-pending', sourceChannel: 'email-link' },
  'soft-opt-in-notice': {
    formVersion: 'checkout-optout-v1',
    action: 'order_placed',
    sourceChannel: 'checkout',
    optOutOffered: true,
    optOutUsed: false,
    sale: { completed: true, productGroups: ['running_shoes'] },
  },
  withdrawal: { withdrawal: { all: true }, sourceChannel: 'email-link' },
  objection: { sourceChannel: 'customer-service' },
};

/** A valid consent evidence CloudEvent of `kind`, with `fields` on top of the R4 fields. */
export function evidenceEvent(
  id: string,
  kind: string,
  time: string,
  fields: Record<string, unknown> = {},
  subject = SUBJECT,
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'consent-service',
    type: 'consent.evidence',
    time,
    subject,
    data: {
      evidenceId: `ev-${id}`,
      kind,
      subject: { key: subject },
      timestamp: time,
      cmp: 'own-cmp/1.0',
      textVersion: 'sha256:test',
      uiLayer: 1,
      language: 'da',
      sourceChannel: 'web',
      ...(BASE[kind] ?? {}),
      ...fields,
    },
  };
}

function linkEvent(id: string, time: string): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'web',
    type: 'identity.linked',
    time,
    subject: SUBJECT,
    data: { cookieId: 'C1' },
  };
}

function setupLines(setup: readonly string[]): Record<string, unknown>[] {
  return setup.flatMap((s, i) => {
    const t = `2025-03-01T1${i}:00:00Z`;
    switch (s) {
      case 'grant':
        return [
          evidenceEvent('setup-banner', 'cookie-banner', t, {
            action: 'save_choices',
            purposes: ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing'],
          }),
          evidenceEvent('setup-mc', 'marketing-consent', t, {
            formVersion: 'newsletter-v3',
            purposes: ['email.newsletter', 'seg.purchase_history', 'email.engagement_tracking'],
          }),
          evidenceEvent('setup-doi', 'double-opt-in-confirmation', t, { confirms: 'ev-setup-mc' }),
        ];
      case 'pending':
        return [
          evidenceEvent('setup-pending', 'marketing-consent', t, {
            formVersion: 'newsletter-v3',
            purposes: ['email.newsletter'],
          }),
        ];
      case 'objection':
        return [evidenceEvent('setup-objection', 'objection', t)];
      case 'cookie':
        return [
          evidenceEvent(
            'setup-cookie',
            'cookie-banner',
            SETUP_TIME,
            { action: 'save_choices', purposes: ['cookie.marketing', 'seg.web_behaviour'] },
            'C1',
          ),
        ];
      default:
        throw new Error(`unknown setup ${s}`);
    }
  });
}

/** The input line of a case. */
function caseLine(c: HostileCase): string {
  if (c.raw !== undefined) return c.raw;
  const kind = c.kind ?? 'withdrawal';
  const event = kind === 'link' ? linkEvent('case', CASE_TIME) : evidenceEvent('case', kind, CASE_TIME, {});
  const data = event.data as Record<string, unknown>;
  for (const [k, v] of Object.entries(c.set ?? {})) data[k] = v;
  for (const k of c.unset ?? []) delete data[k];
  for (const [k, v] of Object.entries(c.envelope ?? {})) {
    if (v === null) delete event[k];
    else event[k] = v;
  }
  return JSON.stringify(event);
}

/** What one case produced: the case's result, the subject's state after it, and all output. */
export interface CaseRun {
  readonly result: ProcessResult;
  readonly state: SubjectState | null;
  readonly everything: ProcessResult[];
}

/** Runs a case through `replayLines` (the dry-run path); the case's input goes last. */
export function runCase(c: HostileCase): CaseRun {
  const setup = setupLines(c.setup ?? []).map((e) => JSON.stringify(e));
  if (c.topic === undefined) {
    const { results, processor } = replayLines(examplePolicy, [...setup, caseLine(c)].join('\n'), {
      pseudonymKeys: DEMO_PSEUDONYM_KEYRING,
    });
    const everything = results.map((r) => r.result);
    return {
      result: everything[everything.length - 1] as ProcessResult,
      state: liveState(processor.exportState(SUBJECT)),
      everything,
    };
  }
  const { results, processor } = replayLines(examplePolicy, setup.join('\n'), {
    pseudonymKeys: DEMO_PSEUDONYM_KEYRING,
  });
  const result = processor.process(caseLine(c), { topic: c.topic });
  return {
    result,
    state: liveState(processor.exportState(SUBJECT)),
    everything: [...results.map((r) => r.result), result],
  };
}

/** Loads every corpus file; a case with a key outside {@link CASE_KEYS} is refused. */
export function loadCorpus(dir: string): { file: string; c: HostileCase }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const cases = parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>[];
      return cases.map((raw) => {
        const unknown = Object.keys(raw).filter((k) => !CASE_KEYS.includes(k));
        if (unknown.length > 0)
          throw new Error(`${file}: case ${String(raw.name)} has unknown keys ${unknown.join(', ')}`);
        return { file, c: raw as unknown as HostileCase };
      });
    });
}

/** A subject's exported state; the hostile cases never import one, so none is quarantined. */
function liveState(state: ExportedState | null): SubjectState | null {
  if (isQuarantinedState(state)) throw new Error('unexpected quarantine');
  return state;
}
