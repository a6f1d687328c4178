import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GovernanceProcessor, loadPolicy, type CompiledPolicy, type ProcessResult } from '@app/policy';

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
  const processor = new GovernanceProcessor(policy, { pseudonymKey: 'test-key' });
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
