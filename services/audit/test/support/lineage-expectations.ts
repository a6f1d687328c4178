import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type LineageRecord, type RenderedDecision } from '@app/contracts';
import { type CompiledPolicy, loadPolicy, renderDecision } from '@app/policy';
import { POLICY_FILE } from '../../../../test/engine/support/engine-stream.kit';

/** JSON with object keys sorted at every level: jsonb does not keep key order. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(value));
}

export function examplePolicy(): { policy: CompiledPolicy; text: string } {
  const text = readFileSync(POLICY_FILE, 'utf8');
  return { policy: loadPolicy(text, { fileName: basename(POLICY_FILE) }), text };
}

/** Dry-run's lineage as the stream writes it (a dead letter's reason names no file line there). */
export function streamLineage(lineage: readonly string[]): LineageRecord[] {
  return lineage.map((l) => JSON.parse(l) as LineageRecord);
}

/** Every rendered decision of the lineage, per destination. */
export function rendered(policy: CompiledPolicy, lineage: readonly LineageRecord[]): RenderedDecision[] {
  return lineage.flatMap((l) => (l.kind === 'decision' ? renderDecision(policy, l) : []));
}

/** Destinations that received data or a contact permission relying on one of `evidence`. */
export function reliedOn(d: RenderedDecision, evidence: ReadonlySet<string>): boolean {
  if (d.outcome === 'withheld') return false;
  if (
    d.attributes.some((a) => a.outcome !== 'withhold' && a.evidenceId !== null && evidence.has(a.evidenceId))
  )
    return true;
  return (
    d.contact !== undefined &&
    d.contact.mayContact &&
    d.contact.evidenceId !== null &&
    evidence.has(d.contact.evidenceId)
  );
}
