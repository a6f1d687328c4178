import type { ContactPermission } from '@app/contracts/governed-record.types';
import { contactPermission } from '../consent/contact-permission';
import { purposeStatus, type PurposeStatus } from '../consent/purpose-status';
import type { CompiledPolicy, Destination, Purpose } from '../policy-file/compiled-policy.types';

/*
 * What a person with no consent state gets: the default the v2 digest leaves out and the renderer
 * puts back. It depends on the policy alone (not on the time), so it is computed once per policy.
 */
const statuses = new WeakMap<CompiledPolicy, Map<Purpose, PurposeStatus>>();
const gates = new WeakMap<CompiledPolicy, Map<Destination, ContactPermission>>();

/** A purpose's status for a person with no consent state. */
export function noStateStatus(policy: CompiledPolicy, purpose: Purpose): PurposeStatus {
  let byPurpose = statuses.get(policy);
  if (byPurpose === undefined) statuses.set(policy, (byPurpose = new Map()));
  let s = byPurpose.get(purpose);
  if (s === undefined) byPurpose.set(purpose, (s = purposeStatus(policy, undefined, purpose, 0)));
  return s;
}

/** A destination's contact gate for a person with no consent state. */
export function noStateContact(policy: CompiledPolicy, destination: Destination): ContactPermission {
  let byDestination = gates.get(policy);
  if (byDestination === undefined) gates.set(policy, (byDestination = new Map()));
  let c = byDestination.get(destination);
  if (c === undefined)
    byDestination.set(destination, (c = contactPermission(policy, undefined, destination, 0)));
  return c;
}
