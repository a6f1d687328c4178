import { type CompiledPolicy } from '@app/policy';

/**
 * Whether the engine must route by identity home for its output to equal dry-run's: only when an
 * identity link can join two keys that live in different partitions, i.e. with more than one
 * partition and a policy that declares an identity-link event type. Otherwise routing would add a
 * topic hop and a router task and change nothing.
 */
export function needsIdentityRouting(policy: CompiledPolicy, partitions: number): boolean {
  if (partitions <= 1) return false;
  for (const spec of policy.eventTypes.values()) if (spec.identityLink !== undefined) return true;
  return false;
}
