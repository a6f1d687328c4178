import { isMap, parseDocument } from 'yaml';

/** A policy text for the engine bench's "identity routing off" run, and what was taken out. */
export interface RoutingOffPolicy {
  readonly text: string;
  /** The sources whose declared `identifiers` were removed. */
  readonly strippedSources: readonly string[];
}

/**
 * The policy without any source's declared `identifiers` (R25), everything else as written. Why:
 * with routing off on several partitions the engine refuses a policy that links declared
 * identifiers (their evidence would be decided apart from the person), so the bench measures the
 * routing-off cost on this variant instead. Only for measuring: it decides e-mail evidence apart.
 */
export function policyWithoutIdentifiers(policyText: string): RoutingOffPolicy {
  const doc = parseDocument(policyText);
  const sources = doc.get('sources');
  const strippedSources: string[] = [];
  if (isMap(sources))
    for (const pair of sources.items) {
      const source = pair.value;
      if (isMap(source) && source.delete('identifiers')) strippedSources.push(String(pair.key));
    }
  return { text: doc.toString(), strippedSources };
}
