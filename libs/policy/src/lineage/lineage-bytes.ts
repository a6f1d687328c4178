import type { ProcessResult } from '../processor/processor.types';

/** Value bytes one input leaves behind, serialised as the engine writes them (UTF-8 JSON). */
export interface LineageBytes {
  /** Lineage records (decision, assessment, suppression, identity link, dead letter). */
  readonly lineage: number;
  /** Governed records for the destinations (data and suppressions). */
  readonly output: number;
}

/**
 * The value bytes of one result's lineage and governed records, for `lineage_bytes_per_input` and
 * `output_bytes_per_input` (divide the sums by the inputs' value bytes). Keys and headers are not
 * counted: the input bytes they are compared with are the inputs' values too.
 */
export function lineageBytes(result: ProcessResult): LineageBytes {
  let lineage = 0;
  let output = 0;
  for (const l of result.lineage) lineage += Buffer.byteLength(JSON.stringify(l));
  for (const r of result.records) output += Buffer.byteLength(JSON.stringify(r.value));
  return { lineage, output };
}
