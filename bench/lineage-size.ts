import { gzipSync } from 'node:zlib';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, lineageBytes, type CompiledPolicy } from '@app/policy';

/** Lineage and output bytes of a stream, per input byte: what `lineage_bytes_per_input` reports. */
export interface LineageSize {
  readonly inputs: number;
  readonly inputBytes: number;
  /** Lineage value bytes over input value bytes (UTF-8 JSON, as written). */
  readonly lineagePerInput: number;
  /** Governed record value bytes over input value bytes. */
  readonly outputPerInput: number;
  /** The same lineage gzip-compressed in batches, as the broker stores the lineage topic. */
  readonly lineageGzipPerInput: number;
  /** Lineage value bytes per kind of record, over input value bytes. */
  readonly perKind: ReadonlyMap<string, number>;
}

/** Records per compressed batch: about what one engine step writes to the lineage topic per partition. */
const BATCH = 500;

/**
 * Replays `lines` through the decision core and measures the lineage it writes against the input
 * (values only, keys and headers aside on both sides). Deterministic for a seeded stream.
 */
export function measureLineageSize(policy: CompiledPolicy, lines: readonly string[]): LineageSize {
  const processor = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  let inputBytes = 0;
  let lineage = 0;
  let output = 0;
  let gzipped = 0;
  const perKind = new Map<string, number>();
  let batch: string[] = [];
  const flush = (): void => {
    if (batch.length > 0) gzipped += gzipSync(batch.join('\n')).length;
    batch = [];
  };
  for (const line of lines) {
    inputBytes += Buffer.byteLength(line);
    const result = processor.process(line);
    const bytes = lineageBytes(result);
    lineage += bytes.lineage;
    output += bytes.output;
    for (const l of result.lineage) {
      const text = JSON.stringify(l);
      perKind.set(l.kind, (perKind.get(l.kind) ?? 0) + Buffer.byteLength(text));
      batch.push(text);
      if (batch.length === BATCH) flush();
    }
  }
  flush();
  return {
    inputs: lines.length,
    inputBytes,
    lineagePerInput: lineage / inputBytes,
    outputPerInput: output / inputBytes,
    lineageGzipPerInput: gzipped / inputBytes,
    perKind: new Map([...perKind].map(([k, n]) => [k, n / inputBytes])),
  };
}
