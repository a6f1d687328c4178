import type { ContactPermission } from '@app/contracts/governed-record.types';
import { contactPermission } from '../consent/contact-permission';
import { type ConsentHolders, useStatus, type UseStatus } from '../consent/use-status';
import type {
  CompiledPolicy,
  Destination,
  EventTypeSpec,
  Purpose,
} from '../policy-file/compiled-policy.types';

/*
 * What a person with no consent state (and a device with none) gets: the default the v2 digest
 * leaves out and the renderer puts back. It depends on the policy alone (not on the time), so it
 * is computed once per event type and purpose, or per destination.
 */
const NO_STATE: ConsentHolders = { person: undefined, device: undefined };
const statuses = new WeakMap<EventTypeSpec, Map<Purpose, UseStatus>>();
const gates = new WeakMap<CompiledPolicy, Map<Destination, ContactPermission>>();

/** A purpose's status for one use by an event of type `spec`, with no consent state at all. */
export function noStateStatus(policy: CompiledPolicy, spec: EventTypeSpec, purpose: Purpose): UseStatus {
  let byPurpose = statuses.get(spec);
  if (byPurpose === undefined) statuses.set(spec, (byPurpose = new Map()));
  let s = byPurpose.get(purpose);
  if (s === undefined)
    byPurpose.set(
      purpose,
      (s = useStatus(policy, NO_STATE, purpose, spec.requirements?.get(purpose.key), 0)),
    );
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
