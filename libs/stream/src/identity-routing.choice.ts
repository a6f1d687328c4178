import { type CompiledPolicy } from '@app/policy';

/**
 * Whether the engine must route by identity home for its output to equal dry-run's: only when an
 * identity link can join two keys that live in different partitions, i.e. with more than one
 * partition and a policy that links identifiers (an identity-link event type, or a source's
 * declared identifiers). Otherwise routing would add a
 * topic hop and a router task and change nothing.
 */
export function needsIdentityRouting(policy: CompiledPolicy, partitions: number): boolean {
  if (partitions <= 1) return false;
  return linksIdentities(policy);
}

/** True when some event type links an identifier to its subject (identityLink or a declared one). */
export function linksIdentities(policy: CompiledPolicy): boolean {
  for (const spec of policy.eventTypes.values())
    if (spec.identityLink !== undefined || spec.personIdentifiers.length > 0) return true;
  return false;
}

/** True when some event type links a declared identifier (an e-mail address) to its subject. */
export function linksDeclaredIdentifiers(policy: CompiledPolicy): boolean {
  for (const spec of policy.eventTypes.values()) if (spec.personIdentifiers.length > 0) return true;
  return false;
}

/**
 * Refuses to run a policy that links declared identifiers without identity routing on more than
 * one partition. Why: evidence under an e-mail address would be decided in the address's task,
 * never on the customer's state, so an objection by reply would be ignored (fail open).
 */
export function assertIdentityRoutingSafe(
  policy: CompiledPolicy,
  partitions: number,
  routing: boolean,
): void {
  if (routing || partitions <= 1 || !linksDeclaredIdentifiers(policy)) return;
  throw new Error(
    'identity routing is off with more than one partition, but the policy links declared identifiers ' +
      '(sources.*.identifiers): evidence under such an identifier would never reach its person. ' +
      'Turn identity routing on (ENGINE_IDENTITY_ROUTING=auto) or use one partition.',
  );
}
