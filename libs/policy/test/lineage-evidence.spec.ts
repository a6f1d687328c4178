import type {
  ConsentAssessmentLineageRecord,
  IdentityLinkLineageRecord,
  LineageRecord,
  RenderedDecision,
} from '@app/contracts';
import { parse } from 'yaml';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, loadPolicy, renderDecision } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { EXAMPLE_POLICY_TEXT, examplePolicy } from './rule-fixture.harness';

/**
 * R27: every decision is logged as evidence, and the consent a forwarded attribute or a contact
 * permission relied on can be reconstructed from the lineage alone. Replays a generated stream
 * (every hard case of the rule numbers (docs/rules.md)) and audits its lineage the way an auditor
 * would: by evidence id, subject pseudonym and identity links, never by looking at the processor's
 * state. Lineage v2 stores a digest per event: the auditor renders every decision from the log as
 * read back (JSON) and the policy text of its version, never from the processor's results.
 */
const assessmentIds = (
  parse(EXAMPLE_POLICY_TEXT) as { compatibilityAssessments: { id: string }[] }
).compatibilityAssessments.map((c) => c.id);
const lines = generateEventStream({ seed: 5, customers: 400 });
const processor = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
const results = lines.map((line, i) => processor.process(line, { line: i + 1 }));
// As an auditor reads it: the bytes of the log, and the policy text its versions name.
const lineage = JSON.parse(JSON.stringify(results.flatMap((r) => r.lineage))) as LineageRecord[];
const policyOfLog = loadPolicy(EXAMPLE_POLICY_TEXT);
const rawSubjects = new Set(
  lines.flatMap((line) => {
    try {
      const s = (JSON.parse(line) as { subject?: unknown }).subject;
      return typeof s === 'string' ? [s] : [];
    } catch {
      return [];
    }
  }),
);

/** The consent assessments an auditor can see before position `at` of the log, by evidence id. */
function auditTrail(): {
  assessmentsBefore: (at: number, evidenceId: string) => ConsentAssessmentLineageRecord[];
  linkedBefore: (at: number, subject: string) => Set<string>;
} {
  const assessments = new Map<string, { at: number; record: ConsentAssessmentLineageRecord }[]>();
  const links: { at: number; record: IdentityLinkLineageRecord }[] = [];
  lineage.forEach((l, at) => {
    if (l.kind === 'consent-assessment') {
      const list = assessments.get(l.evidenceId) ?? [];
      list.push({ at, record: l });
      assessments.set(l.evidenceId, list);
    }
    if (l.kind === 'identity-link' && l.linked) links.push({ at, record: l });
  });
  return {
    assessmentsBefore: (at, evidenceId) =>
      (assessments.get(evidenceId) ?? []).filter((a) => a.at < at).map((a) => a.record),
    linkedBefore: (at, subject) =>
      new Set([
        subject,
        ...links.filter((k) => k.at < at && k.record.subject === subject).map((k) => k.record.alias),
      ]),
  };
}

const trail = auditTrail();

/**
 * Whether the log before `at` shows a valid consent with this evidence id for one of `subjects`
 * that granted `purpose` (directly, or through the double opt-in confirmation of that sign-up).
 * With `purpose` null: any valid consent evidence of that id (marketing permissions name scopes).
 */
function consentFound(
  at: number,
  evidenceId: string,
  subjects: Set<string>,
  purpose: string | null,
): boolean {
  const own = trail.assessmentsBefore(at, evidenceId).filter((a) => a.valid && subjects.has(a.subject ?? ''));
  if (own.length === 0) return false;
  if (purpose === null) return true;
  if (own.some((a) => a.grants?.includes(purpose) === true)) return true;
  return lineage
    .slice(0, at)
    .some(
      (l) =>
        l.kind === 'consent-assessment' &&
        l.valid &&
        l.confirms === evidenceId &&
        subjects.has(l.subject ?? '') &&
        l.grants?.includes(purpose) === true,
    );
}

describe('R27 every decision is logged as evidence', () => {
  const decisions = lineage.flatMap((l, at) =>
    l.kind === 'decision' ? renderDecision(policyOfLog, l).map((d) => ({ l: d, at })) : [],
  );

  it('logs one v2 decision record per processed source event that renders for every destination, withheld ones included', () => {
    const sourceResults = results.filter((r) => r.outcome === 'source');
    expect(sourceResults.length).toBeGreaterThan(500);
    for (const r of sourceResults) {
      const logged = r.lineage.filter((l) => l.kind === 'decision');
      expect(logged).toHaveLength(1);
      const record = logged[0];
      expect(record?.lineageVersion).toBe(2);
      // Rendered from the log, the record decides every destination of its policy version.
      const rendered = record?.kind === 'decision' ? renderDecision(policyOfLog, record) : [];
      expect(rendered.map((d) => d.destination)).toEqual((r.decisions ?? []).map((d) => d.destination.name));
    }
    for (const l of lineage) expect(l.lineageVersion).toBe(2);
    expect(decisions.some((d) => d.l.outcome === 'withheld')).toBe(true);
    expect(decisions.some((d) => d.l.outcome !== 'withheld')).toBe(true);
    // Dead letters are logged too, with their code.
    const deadLetters = results.filter((r) => r.outcome === 'dead-letter');
    expect(deadLetters.length).toBeGreaterThan(0);
    for (const r of deadLetters)
      expect(r.lineage).toEqual([expect.objectContaining({ kind: 'dead-letter' })]);
  });

  it('records the event, a pseudonymous subject, the destination, the rule per attribute and the policy version', () => {
    for (const { l } of decisions) {
      expect(l.policyVersion).toBe(examplePolicy.version);
      expect(l.eventId).toEqual(expect.any(String));
      expect(l.subject).toMatch(/^demo:[0-9a-f]{32}$/);
      expect(rawSubjects.has(l.subject ?? '')).toBe(false);
      expect(l.decisionId).toContain(l.destination);
      for (const a of l.attributes) expect(a.rule).toMatch(/^R\d+$/);
    }
  });

  it('names, for every forwarded attribute, a purpose and basis and the consent or assessment relied on', () => {
    let consentBased = 0;
    for (const { l, at } of decisions) {
      const subjects = trail.linkedBefore(at, l.subject ?? '');
      for (const a of l.attributes) {
        if (a.outcome === 'withhold') continue;
        expect(a.purpose).not.toBeNull();
        expect(a.legalBasis).not.toBeNull();
        if (a.reason === 'compatibility-assessment') {
          expect(assessmentIds).toContain(a.evidenceId);
        } else if (a.legalBasis === 'consent') {
          consentBased++;
          expect(a.evidenceId).not.toBeNull();
          expect({
            decision: l.decisionId,
            attribute: a.path,
            found: consentFound(at, a.evidenceId ?? '', subjects, a.purpose),
          }).toEqual({ decision: l.decisionId, attribute: a.path, found: true });
        }
      }
    }
    expect(consentBased).toBeGreaterThan(100);
  });

  it('names, for every contact permission, the valid consent or soft opt-in notice it rests on', () => {
    let permitted = 0;
    for (const { l, at } of decisions) {
      if (l.contact === undefined || !l.contact.mayContact) continue;
      permitted++;
      const subjects = trail.linkedBefore(at, l.subject ?? '');
      expect({
        decision: l.decisionId,
        found: consentFound(at, l.contact.evidenceId ?? '', subjects, null),
      }).toEqual({ decision: l.decisionId, found: true });
    }
    expect(permitted).toBeGreaterThan(50);
  });

  it('fails the reconstruction when the consent is not in the log (the check can fail)', () => {
    const { l, at } = decisions.find((d) =>
      d.l.attributes.some((a) => a.outcome !== 'withhold' && a.legalBasis === 'consent'),
    ) as { l: RenderedDecision; at: number };
    const a = l.attributes.find((x) => x.outcome !== 'withhold' && x.legalBasis === 'consent');
    const subjects = trail.linkedBefore(at, l.subject ?? '');
    expect(consentFound(at, a?.evidenceId ?? '', subjects, a?.purpose ?? null)).toBe(true);
    expect(consentFound(0, a?.evidenceId ?? '', subjects, a?.purpose ?? null)).toBe(false);
    expect(consentFound(at, a?.evidenceId ?? '', new Set(['ps_someone_else']), a?.purpose ?? null)).toBe(
      false,
    );
    expect(consentFound(at, a?.evidenceId ?? '', subjects, 'loyalty.programme')).toBe(false);
  });
});
