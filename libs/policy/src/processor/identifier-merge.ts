import type { EvidenceAssessment } from '../consent/consent-evidence.assessor';
import {
  emptySubjectState,
  type EvidenceRef,
  type MarketingGrant,
  MAX_STOPS,
  type StopRef,
  type SubjectState,
  writableRecord,
} from '../consent/consent-state.types';
import { addMarketing, addPending, MAX_MARKETING } from '../consent/state-bounds';
import { withdrawScope } from '../consent/withdrawal-scope';
import type { CompiledPolicy } from '../policy-file/compiled-policy.types';

/**
 * Keeps a valid withdrawal received under a key in the key's `stops` (the newest
 * {@link MAX_STOPS}), so that it reaches the person if the key is linked as their identifier
 * later. Why kept apart: a withdrawal folded into a state without grants leaves no trace there
 * (a List-Unsubscribe under an e-mail address nobody has linked yet removes nothing), yet it must
 * stop the person's marketing once the address is known to be theirs. Replaces the list, never
 * changes it in place, so a rollback to a snapshot of the state undoes it.
 */
export function keepStop(state: SubjectState, assessment: EvidenceAssessment, at: number): void {
  const e = assessment.effect;
  if (!assessment.valid || e.type !== 'withdrawal') return;
  const m = e.marketing;
  const stop: StopRef = {
    at,
    evidenceId: assessment.evidenceId,
    all: e.all,
    purposes: [...e.purposes],
    marketing:
      m === null
        ? null
        : {
            ...(m.brands === undefined ? {} : { brands: [...m.brands] }),
            ...(m.channels === undefined ? {} : { channels: [...m.channels] }),
            ...(m.productGroups === undefined ? {} : { productGroups: [...m.productGroups] }),
          },
  };
  state.stops = [...(state.stops ?? []), stop].slice(-MAX_STOPS);
}

/**
 * R25, fail closed: a withdrawal or objection received under an identifier also stops a customer
 * whose claim on the identifier was refused (nobody can tell which claimant sent it). Applied as a
 * stop carried by a link (see {@link mergeIdentifierState}, restrictions only): it takes away what
 * the customer was granted at or before it and grants nothing. Null for any other evidence.
 */
export function carrySharedStop(
  policy: CompiledPolicy,
  customer: SubjectState,
  assessment: EvidenceAssessment,
  at: number,
): MergeStops | null {
  if (!isStop(assessment)) return null;
  const carrier = emptySubjectState();
  if (assessment.effect.type === 'objection') carrier.objection = { at, evidenceId: assessment.evidenceId };
  else keepStop(carrier, assessment, at);
  return mergeIdentifierState(policy, customer, carrier, true);
}

/** True for a valid withdrawal or objection: the evidence that stops, and only stops. */
export function isStop(assessment: EvidenceAssessment): boolean {
  const type = assessment.effect.type;
  return assessment.valid && (type === 'withdrawal' || type === 'objection');
}

/**
 * R25 for a declared identifier (an e-mail address the CRM knows): merges the identifier's state
 * into the person's when the link is made (mutates `person`). Evidence that arrived under the
 * identifier before the link counts for the person as if it had arrived under the person's key,
 * by its own time:
 * - stops always carry over: an objection, a purpose withdrawal and a scoped withdrawal take away
 *   every grant of the person given (or renewed) at or before them (R18, R19), an objection every
 *   soft opt-in too (only a later explicit consent reopens marketing), and the later of two
 *   objections is kept; a scoped withdrawal takes exactly its scope of a marketing grant (R18);
 * - refusals recorded under the identifier are cited for the person's purposes that have no grant
 *   and no refusal of their own (R27);
 * - grants join only where the person has none for the purpose, and never a direct-marketing grant
 *   given before an objection of either key (R19) or a grant older than the person's withdrawal;
 * - marketing permissions and unconfirmed double opt-in sign-ups join under the same conditions,
 *   so a later confirmation under either key confirms the sign-up.
 * `restrictionsOnly`: carry the stops and nothing that permits (a refused link, see the subject
 * stage).
 */
export function mergeIdentifierState(
  policy: CompiledPolicy,
  person: SubjectState,
  identifier: SubjectState,
  restrictionsOnly = false,
): MergeStops {
  const direct = (p: string): boolean => policy.purposes.get(p)?.directMarketing === true;
  const took = new TookAway();
  const theirs = identifier.objection;
  if (theirs !== null && (person.objection === null || theirs.at > person.objection.at))
    applyObjection(person, theirs, direct, took);
  for (const [p, w] of Object.entries(identifier.withdrawn)) applyPurposeStop(person, p, w, took);
  for (const stop of identifier.stops ?? []) applyStop(policy, person, stop, took);
  carryRefusals(person, identifier);
  const stops = took.outcome();
  if (restrictionsOnly) return stops;
  const objection = person.objection;
  const objected = (at: number, directMarketing: boolean): boolean =>
    objection !== null && directMarketing && at <= objection.at;
  for (const [p, g] of Object.entries(identifier.purposes)) {
    const withdrawn = person.withdrawn[p];
    if (person.purposes[p] !== undefined || objected(g.renewedAt, direct(p))) continue;
    if (withdrawn !== undefined && g.renewedAt <= withdrawn.at) continue;
    writableRecord(person, 'purposes')[p] = g;
  }
  for (const g of identifier.marketing) {
    if (objected(g.since, true) || (objection !== null && g.basis === 'soft-opt-in')) continue;
    if (!person.marketing.some((m) => m.evidenceId === g.evidenceId)) addMarketing(person, { ...g });
  }
  for (const [id, pending] of Object.entries(identifier.pending)) {
    if (objected(pending.at, true) || person.pending[id] !== undefined) continue;
    addPending(person, id, { ...pending, purposes: [...pending.purposes], scopes: [...pending.scopes] });
  }
  return stops;
}

/**
 * What the stops carried over by a merge took away from the person (R18, R19), and the evidence to
 * cite for it: the objection when one took effect, else the newest withdrawal that removed
 * something. The link then suppresses, at every destination that relied on it, what the
 * customer's earlier grants sent, as the withdrawal would have had it come under the customer's key.
 */
export interface MergeStops {
  readonly removedPurposes: readonly string[];
  readonly removedMarketing: readonly MarketingGrant[];
  readonly objection: boolean;
  /** The evidence cited (null: nothing was taken away). */
  readonly cited: EvidenceRef | null;
}

/** Collects what a merge's stops took away. */
class TookAway {
  private readonly purposes = new Set<string>();
  private readonly marketing: MarketingGrant[] = [];
  private objection: EvidenceRef | null = null;
  private newest: EvidenceRef | null = null;

  objected(ref: EvidenceRef): void {
    this.objection = ref;
  }

  removed(ref: EvidenceRef, purposes: readonly string[], marketing: readonly MarketingGrant[]): void {
    if (purposes.length === 0 && marketing.length === 0) return;
    for (const p of purposes) this.purposes.add(p);
    this.marketing.push(...marketing);
    if (this.newest === null || ref.at >= this.newest.at) this.newest = ref;
  }

  outcome(): MergeStops {
    return {
      removedPurposes: [...this.purposes].sort(),
      removedMarketing: this.marketing,
      objection: this.objection !== null,
      cited: this.objection ?? this.newest,
    };
  }
}

/** An objection at `ref.at`: direct marketing granted at or before it ends (R19). */
function applyObjection(
  state: SubjectState,
  ref: EvidenceRef,
  direct: (p: string) => boolean,
  took: TookAway,
): void {
  state.objection = { ...ref };
  took.objected(ref);
  const purposes: string[] = [];
  for (const [p, g] of Object.entries(state.purposes))
    if (direct(p) && g.renewedAt <= ref.at) {
      removeGrant(state, p, ref);
      purposes.push(p);
    }
  // Only a later explicit consent reopens marketing after an objection, never a soft opt-in.
  const kept = (g: MarketingGrant): boolean => g.since > ref.at && g.basis === 'consent';
  took.removed(
    ref,
    purposes,
    state.marketing.filter((g) => !kept(g)),
  );
  state.marketing = state.marketing.filter(kept);
  for (const [id, pending] of Object.entries(state.pending))
    if (pending.at <= ref.at) delete state.pending[id];
}

/** A withdrawal of one purpose at `ref.at` (R18). */
function applyPurposeStop(state: SubjectState, p: string, ref: EvidenceRef, took: TookAway): void {
  const g = state.purposes[p];
  if (g !== undefined && g.renewedAt <= ref.at) {
    removeGrant(state, p, ref);
    took.removed(ref, [p], []);
  }
  const known = state.withdrawn[p];
  if (known === undefined || known.at < ref.at) writableRecord(state, 'withdrawn')[p] = { ...ref };
}

/**
 * A withdrawal with its scope at `stop.at` (R18): what it names, granted at or before it, ends;
 * of a marketing grant exactly the scope withdrawn (see {@link withdrawScope}), as when the
 * withdrawal had arrived under the person's key.
 */
function applyStop(policy: CompiledPolicy, state: SubjectState, stop: StopRef, took: TookAway): void {
  const ref = { at: stop.at, evidenceId: stop.evidenceId };
  const purposes = stop.all ? Object.keys(state.purposes) : stop.purposes;
  for (const p of purposes) if (policy.purposes.has(p)) applyPurposeStop(state, p, ref, took);
  const scope = stop.all ? {} : stop.marketing;
  if (scope !== null) {
    // Grants given after the withdrawal are untouched by it; the earlier ones lose its scope.
    const later = state.marketing.filter((g) => g.since > stop.at);
    const cut = withdrawScope(
      state.marketing.filter((g) => g.since <= stop.at),
      scope,
    );
    if (cut.removed.length > 0) {
      took.removed(ref, [], cut.removed);
      const kept = [...later, ...cut.kept];
      // Bounded as the fold bounds it: the newest kept, dropping fails closed.
      if (kept.length > MAX_MARKETING) {
        kept.sort((a, b) => b.since - a.since);
        kept.length = MAX_MARKETING;
      }
      state.marketing = kept;
      // Later contact refusals cite the withdrawal (R18), as the fold of the withdrawal does.
      state.contactRefused = { evidenceId: stop.evidenceId, rule: 'R18', reason: STOP_CARRIED };
    }
  }
  if (stop.all)
    for (const [id, pending] of Object.entries(state.pending))
      if (pending.at <= stop.at) delete state.pending[id];
}

const STOP_CARRIED = 'withdrawal received under a linked identifier takes effect for the person';

/**
 * R27: a consent refused under the identifier (a sign-up refused by R1, a banner rejected by R6)
 * is cited by the person's later decisions where the person has neither a grant nor a refusal of
 * their own, as if it had come under the person's key. A citation only: it permits nothing.
 */
function carryRefusals(person: SubjectState, identifier: SubjectState): void {
  for (const [p, r] of Object.entries(identifier.refused))
    if (person.purposes[p] === undefined && person.refused[p] === undefined)
      writableRecord(person, 'refused')[p] = { ...r };
  if (person.contactRefused === null && identifier.contactRefused !== null)
    person.contactRefused = { ...identifier.contactRefused };
}

function removeGrant(state: SubjectState, p: string, ref: EvidenceRef): void {
  delete state.purposes[p];
  const known = state.withdrawn[p];
  if (known === undefined || known.at < ref.at) writableRecord(state, 'withdrawn')[p] = { ...ref };
}
