import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedDecision } from '@app/contracts';
import {
  type CompiledPolicy,
  DEMO_PSEUDONYM_KEYRING,
  GovernanceProcessor,
  loadPolicy,
  renderLineage,
  type ProcessResult,
} from '@app/policy';

/** Test helpers for nested payloads (R28): the nested test policy and one event through it. */
export const nestedPolicy: CompiledPolicy = loadPolicy(
  readFileSync(join(__dirname, 'fixtures', 'nested.policy.yaml'), 'utf8'),
  { fileName: 'nested.policy.yaml' },
);

/** What one `shop/order.placed` event left behind, by destination. */
export interface NestedRun {
  readonly result: ProcessResult;
  /** The data record's `data` per destination; absent when nothing was forwarded there. */
  readonly data: ReadonlyMap<string, Record<string, unknown>>;
  /** The decision per destination, rendered from the event's v2 lineage record. */
  readonly lineage: ReadonlyMap<string, RenderedDecision>;
}

/** Processes one `shop/order.placed` event with payload `data` on a fresh processor. */
export function runNested(data: unknown, policy: CompiledPolicy = nestedPolicy): NestedRun {
  const p = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  const result = p.process({
    specversion: '1.0',
    id: 'n1',
    source: 'shop',
    type: 'order.placed',
    time: '2025-03-01T10:00:00Z',
    subject: 'S1',
    data,
  });
  const out = new Map<string, Record<string, unknown>>();
  for (const r of result.records) if (r.value.kind === 'data') out.set(r.destination, r.value.data);
  const lineage = new Map<string, RenderedDecision>();
  for (const d of renderLineage(policy, result.lineage)) lineage.set(d.destination, d);
  return { result, data: out, lineage };
}

/**
 * Every path of a JSON value in declared style (`items[].sku`), objects and leaves alike, so a
 * forwarded value can be compared with what the policy declares.
 */
export function valuePaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v: unknown) => valuePaths(v, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return prefix === '' ? [] : [prefix];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    return [path, ...valuePaths(v, path)];
  });
}

/** Declared paths of `shop/order.placed` (arrays as `[]`), as the policy's schemas declare them. */
export const DECLARED_NESTED = new Set([
  'orderId',
  'items',
  'items[].sku',
  'items[].qty',
  'items[].options',
  'items[].options.size',
  'items[].options.tags',
  'items[].options.tags[]',
  'shipTo',
  'shipTo.city',
  'shipTo.geo',
  'shipTo.geo.lat',
  'shipTo.geo.lon',
  'matrix',
  'matrix[][]',
  'matrix[][].v',
  'notes',
  'notes[]',
  'blob',
  'choice',
  'choice.a',
  'choice.b',
  'meta',
  'meta.channel',
  'undescribed',
  'parcels',
  'parcels[].id',
  'parcels[].weightKg',
  'parcels[].dims',
  'parcels[].dims.w',
  'parcels[].dims.h',
]);

/** True when `path` is declared, reading `blob` and `undescribed` as scalars or lists of scalars. */
export function isDeclaredPath(path: string): boolean {
  return DECLARED_NESTED.has(path) || /^(blob|undescribed|notes)(\[\])*$/.test(path);
}
