import Ajv, { type ErrorObject } from 'ajv';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import { isRfc3339 } from '@app/contracts/rfc3339';
import { CONSENT_EVIDENCE_SCHEMA } from './evidence.schema';

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addFormat('rfc3339', isRfc3339);
const validate = ajv.compile<ConsentEvidence>(CONSENT_EVIDENCE_SCHEMA);

/** Every property name the contract declares: the only input keys a reason may name. */
const CONTRACT_KEYS: ReadonlySet<string> = collectKeys(CONSENT_EVIDENCE_SCHEMA, new Set());

/** Collects every name listed under `properties` anywhere in a JSON Schema. */
export function collectKeys(node: unknown, out: Set<string>): Set<string> {
  if (typeof node !== 'object' || node === null) return out;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && typeof v === 'object' && v !== null)
      for (const name of Object.keys(v)) out.add(name);
    collectKeys(v, out);
  }
  return out;
}

/**
 * The contract path of an ajv instance path: declared names and list indexes only; any other
 * segment (a key the producer made up, e.g. under `subject.identifiers`) becomes `*`.
 */
export function contractPath(instancePath: string, known: ReadonlySet<string> = CONTRACT_KEYS): string {
  if (instancePath === '') return 'data';
  return instancePath
    .slice(1)
    .split('/')
    .reduce(
      (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : `${acc}.${known.has(part) ? part : '*'}`),
      'data',
    );
}

/** A readable reason for one schema error: contract path and constraint, never a value or key. */
export function schemaReason(
  errors: readonly ErrorObject[] | null | undefined,
  known?: ReadonlySet<string>,
): string {
  // `if` only says that a `then` failed; the `then` error before it names the constraint.
  const e = (errors ?? []).find((x) => x.keyword !== 'if');
  if (e === undefined) return 'data: does not match the consent evidence contract';
  const where = contractPath(e.instancePath, known);
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: has an undeclared property`;
    default:
      return `${where}: ${e.message ?? `fails ${e.keyword}`}`;
  }
}

/** The outcome of checking one evidence payload against the contract. */
export type EvidenceCheck =
  | { readonly ok: true; readonly evidence: ConsentEvidence }
  | { readonly ok: false; readonly reason: string };

/** Checks consent evidence against the strict contract schema; never throws. */
export function checkEvidence(data: unknown): EvidenceCheck {
  if (!validate(data)) return { ok: false, reason: schemaReason(validate.errors) };
  const w = data.kind === 'withdrawal' ? data.withdrawal : undefined;
  // Checked after the types, so a mistyped field is named first. An empty scope means everything
  // (as an absent one does); `all: false` alone, or an empty purpose list, would mean nothing.
  if (
    w !== undefined &&
    Object.keys(w).length > 0 &&
    w.all !== true &&
    (w.purposes === undefined || w.purposes.length === 0) &&
    w.marketing === undefined
  )
    return {
      ok: false,
      reason: 'data.withdrawal: must say what it takes back (all: true, purposes or marketing)',
    };
  return { ok: true, evidence: data };
}

/**
 * The contract check as a reason (path and constraint, no values), or null when the evidence
 * matches. Kept for callers that only need a yes or no with the reason.
 */
export function checkEvidenceShape(data: unknown): string | null {
  const checked = checkEvidence(data);
  return checked.ok ? null : checked.reason;
}

/** A wish to stop that can be read from evidence even when the rest of it cannot. */
export type StopIntent = 'withdrawal' | 'objection' | null;

/** Whether malformed evidence still says "withdrawal" or "objection" (its `kind`, exactly). */
export function stopIntentOf(data: unknown): StopIntent {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const kind = (data as { kind?: unknown }).kind;
  return kind === 'withdrawal' || kind === 'objection' ? kind : null;
}

/**
 * Evidence time against its event time: not after it, and not more than `maxSkewMs` before it.
 * Why: the evidence time starts consent windows (R22), so an evidence dated far back would make
 * data collected long before the consent usable. Null when acceptable.
 */
export function checkEvidenceTime(evidenceAt: number, eventAt: number, maxSkewMs: number): string | null {
  if (evidenceAt > eventAt) return 'data.timestamp: must not lie after the event time';
  if (eventAt - evidenceAt > maxSkewMs)
    return `data.timestamp: must lie at most ${maxSkewMs / 1000} seconds before the event time`;
  return null;
}
