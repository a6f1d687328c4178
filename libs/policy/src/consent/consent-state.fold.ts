import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { EvidenceAssessment } from './consent-evidence.assessor';
import { pendingRecord, type MarketingGrant, type SubjectState, writableRecord } from './consent-state.types';
import { addMarketing, addPending, MAX_PENDING } from './state-bounds';
import { withdrawScope } from './withdrawal-scope';

/** What a fold took away, so suppression records can be produced for the affected destinations. */
export interface FoldOutcome {
  /** Purposes whose grant was removed. */
  readonly removedPurposes: readonly string[];
  /** Marketing permissions that were removed. */
  readonly removedMarketing: readonly MarketingGrant[];
  readonly objection: boolean;
  /** Purposes whose grant this evidence started or renewed (recorded in its lineage, R27). */
  readonly grantedPurposes: readonly string[];
  /** What the fold could not honour or had to drop, for the evidence's lineage (no values). */
  readonly note: string | null;
}

const DROPPED_PENDING = `an older unconfirmed sign-up was dropped (at most ${MAX_PENDING} are kept); its confirmation will grant nothing`;
const NOT_PENDING = `nothing granted: the confirmed sign-up is not pending (unknown, already confirmed or withdrawn, past its confirmation window, or dropped unconfirmed: at most ${MAX_PENDING} are kept)`;

/** A fold outcome: nothing removed, granted or objected to unless `parts` says so. */
function outcome(parts: Partial<FoldOutcome>): FoldOutcome {
  return {
    removedPurposes: [],
    removedMarketing: [],
    objection: false,
    grantedPurposes: [],
    note: null,
    ...parts,
  };
}

function grantPurpose(
  state: SubjectState,
  purpose: string,
  at: number,
  evidenceId: string,
  form: string,
  source: 'cookie-banner' | 'marketing-consent',
  maxAgeMs: number | null,
): void {
  const current = state.purposes[purpose];
  // A renewal while the window is still open and unexpired keeps its start; otherwise a new window.
  const continues = current !== undefined && (maxAgeMs === null || at - current.renewedAt <= maxAgeMs);
  writableRecord(state, 'purposes')[purpose] = {
    since: continues ? current.since : at,
    renewedAt: at,
    evidenceId,
    form,
    source,
  };
  if (state.refused[purpose] !== undefined) delete state.refused[purpose];
}

function removePurpose(
  state: SubjectState,
  purpose: string,
  at: number,
  evidenceId: string,
  out: string[],
): void {
  if (state.purposes[purpose] !== undefined) {
    delete state.purposes[purpose];
    out.push(purpose);
  }
  writableRecord(state, 'withdrawn')[purpose] = { at, evidenceId };
}

/**
 * Folds an assessed piece of evidence into a person's consent state (mutates `state`) and
 * returns what was taken away. `at` is the evidence time in epoch ms.
 */
export function foldEvidence(
  policy: CompiledPolicy,
  state: SubjectState,
  a: EvidenceAssessment,
  at: number,
): FoldOutcome {
  const e = a.effect;
  if (!a.valid) {
    for (const p of a.refuses ?? a.claimedPurposes) {
      // Purposes the policy does not declare decide nothing: not kept (keys stay declared names).
      if (!policy.purposes.has(p)) continue;
      if (state.purposes[p] === undefined)
        writableRecord(state, 'refused')[p] = { evidenceId: a.evidenceId, rule: a.rule, reason: a.reason };
    }
    if (a.kind !== 'cookie-banner')
      state.contactRefused = { evidenceId: a.evidenceId, rule: a.rule, reason: a.reason };
    return outcome({});
  }
  const cookieMax = policy.options.cookieConsentMaxAgeMs;
  const marketingMax = policy.options.marketingConsentMaxAgeMs;
  switch (e.type) {
    case 'none':
      return outcome({});
    case 'cookie-choice': {
      for (const p of e.granted)
        grantPurpose(state, p, at, a.evidenceId, 'cookie-banner', 'cookie-banner', cookieMax);
      const removed: string[] = [];
      for (const p of e.notChosen) {
        const current = state.purposes[p];
        if (current?.source === 'cookie-banner') removePurpose(state, p, at, a.evidenceId, removed);
        // R27: a later decision needing it cites what refused it (R2, R6), not a bare "no consent".
        else if (current === undefined && e.refusedBy !== null)
          writableRecord(state, 'refused')[p] = {
            evidenceId: a.evidenceId,
            rule: e.refusedBy,
            reason: a.reason,
          };
      }
      return outcome({ removedPurposes: removed, grantedPurposes: e.granted });
    }
    case 'marketing-consent': {
      if (e.pendingConfirmation) {
        // The state keeps its own copies (it is serialised and mutated later, the evidence is not).
        const dropped = addPending(state, a.evidenceId, {
          at,
          form: 'marketing-consent',
          purposes: [...e.purposes],
          scopes: e.scopes.map(copyScope),
        });
        return outcome({ note: dropped ? DROPPED_PENDING : null });
      }
      activateMarketing(state, a.evidenceId, at, e.purposes, e.scopes, marketingMax);
      return outcome({ grantedPurposes: e.purposes });
    }
    case 'confirm': {
      const pending = state.pending[e.confirms];
      if (pending === undefined) {
        // The confirmation of a sign-up that was itself refused keeps that refusal (R27): its rule
        // (R1, R14, R17 ...) decided, not the confirmation's lack of anything to confirm.
        if (state.contactRefused?.evidenceId === e.confirms) return outcome({ note: NOT_PENDING });
        state.contactRefused = {
          evidenceId: a.evidenceId,
          rule: 'R4',
          reason: 'confirmation of unknown consent',
        };
        return outcome({ note: NOT_PENDING });
      }
      delete state.pending[e.confirms];
      // The basis exists from the confirmation on, not from the unconfirmed sign-up (R22).
      activateMarketing(state, e.confirms, at, pending.purposes, pending.scopes, marketingMax);
      return outcome({ grantedPurposes: pending.purposes });
    }
    case 'soft-opt-in':
      // R19: after an objection only a later explicit consent reopens marketing.
      if (state.objection !== null) {
        state.contactRefused = {
          evidenceId: a.evidenceId,
          rule: 'R19',
          reason: 'an objection blocks soft opt-in',
        };
        return outcome({});
      }
      addMarketing(state, {
        since: at,
        evidenceId: a.evidenceId,
        basis: 'soft-opt-in',
        ...copyScope(e.scope),
      });
      return outcome({});
    case 'withdrawal': {
      const removedPurposes: string[] = [];
      const purposes = e.all ? Object.keys(state.purposes) : e.purposes;
      for (const p of purposes)
        if (policy.purposes.has(p)) removePurpose(state, p, at, a.evidenceId, removedPurposes);
      // R18: exactly the scope withdrawn; the rest of each grant stays (withdrawal-scope.ts).
      const scope = e.all ? {} : e.marketing;
      const cut = scope === null ? null : withdrawScope(state.marketing, scope);
      const removedMarketing = cut?.removed ?? [];
      if (cut !== null && removedMarketing.length > 0) {
        state.marketing = cut.kept;
        // Later contact refusals cite the withdrawal (R18), not a generic lack of permission.
        state.contactRefused = { evidenceId: a.evidenceId, rule: 'R18', reason: a.reason };
      }
      if (e.all) state.pending = pendingRecord();
      return outcome({ removedPurposes, removedMarketing });
    }
    case 'objection': {
      state.objection = { at, evidenceId: a.evidenceId };
      const removedPurposes: string[] = [];
      for (const p of Object.keys(state.purposes)) {
        if (policy.purposes.get(p)?.directMarketing === true)
          removePurpose(state, p, at, a.evidenceId, removedPurposes);
      }
      const removedMarketing = state.marketing;
      state.marketing = [];
      state.pending = pendingRecord();
      return outcome({ removedPurposes, removedMarketing, objection: true });
    }
  }
}

function copyScope(s: {
  brands: readonly string[];
  channels: readonly string[];
  productGroups: readonly string[];
}): {
  brands: string[];
  channels: string[];
  productGroups: string[];
} {
  return { brands: [...s.brands], channels: [...s.channels], productGroups: [...s.productGroups] };
}

function activateMarketing(
  state: SubjectState,
  evidenceId: string,
  at: number,
  purposes: readonly string[],
  scopes: readonly {
    readonly brands: readonly string[];
    readonly channels: readonly string[];
    readonly productGroups: readonly string[];
  }[],
  maxAgeMs: number | null,
): void {
  for (const p of purposes)
    grantPurpose(state, p, at, evidenceId, 'marketing-consent', 'marketing-consent', maxAgeMs);
  for (const s of scopes) {
    if (maxAgeMs === null && coveredByEarlierConsent(state.marketing, at, s)) continue;
    addMarketing(state, { since: at, evidenceId, basis: 'consent', ...copyScope(s) });
  }
  state.contactRefused = null;
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!b.includes(a[i] as string)) return false;
  for (let i = 0; i < b.length; i++) if (!a.includes(b[i] as string)) return false;
  return true;
}

/**
 * True when the list already holds a consent grant with the same brands, channels and product
 * groups that started no later than `at`. Without a maximum age such a grant wins every contact
 * decision the new one could (the gate takes the first grant in force, in list order, and a
 * consent grant adds no soft opt-in failure), and a withdrawal or objection removes both together,
 * so the new grant changes no decision: it is not stored. Why: customers who sign up again and again
 * collected one grant per sign-up, and every grant is kept in memory and written to the changelog.
 */
function coveredByEarlierConsent(
  list: readonly MarketingGrant[],
  at: number,
  scope: {
    readonly brands: readonly string[];
    readonly channels: readonly string[];
    readonly productGroups: readonly string[];
  },
): boolean {
  for (let i = 0; i < list.length; i++) {
    const g = list[i] as MarketingGrant;
    if (
      g.basis === 'consent' &&
      g.since <= at &&
      sameMembers(g.brands, scope.brands) &&
      sameMembers(g.channels, scope.channels) &&
      sameMembers(g.productGroups, scope.productGroups)
    )
      return true;
  }
  return false;
}
