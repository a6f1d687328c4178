import { Inject, Injectable } from '@nestjs/common';
import type { DecisionLineageRecord, RenderedDecision } from '@app/contracts';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader } from '../lineage/lineage.reader';
import { PolicyVersions } from '../lineage/policy-versions';
import { type Page, pageOf } from '../api/page';
import { comparePositions } from '../lineage/store-lineage.reader';

/** Most evidence, and most decisions, one recall reads; beyond it the answer says `truncated`. */
const MAX_EVIDENCE = 50_000;
const MAX_DECISIONS = 200_000;
const SLICE = 2000;

/** One person forwarded to (or contacted by) a destination under evidence of the form version. */
export interface RecallItem {
  readonly subject: string;
  readonly destination: string;
  readonly eventId: string;
  readonly time: string;
  readonly decisionId: string;
  /** The evidence of the recalled version the decision relied on. */
  readonly evidenceIds: readonly string[];
  /** Paths forwarded (as-is or pseudonymised) under that evidence. */
  readonly paths: readonly string[];
  /** True when the contact gate opened on that evidence (the person could be e-mailed). */
  readonly contacted: boolean;
}

export interface Recall extends Page<RecallItem> {
  readonly formVersion: string;
  /** Evidence captured on this version (valid or not). */
  readonly evidence: number;
  /** Per destination: distinct persons and decisions that relied on the version's evidence. */
  readonly perDestination: readonly { destination: string; subjects: number; decisions: number }[];
  readonly truncated: boolean;
}

/** What one rendered decision relied on from `evidence`: forwarded paths and the contact gate. */
function reliedOn(d: RenderedDecision, evidence: ReadonlySet<string>): RecallItem | null {
  const attributes = d.attributes.filter(
    (a) => a.outcome !== 'withhold' && a.evidenceId !== null && evidence.has(a.evidenceId),
  );
  const contacted =
    d.contact?.mayContact === true && d.contact.evidenceId !== null && evidence.has(d.contact.evidenceId);
  if (attributes.length === 0 && !contacted) return null;
  const ids = new Set(attributes.map((a) => a.evidenceId as string));
  if (contacted) ids.add(d.contact?.evidenceId as string);
  return {
    subject: d.subject,
    destination: d.destination,
    eventId: d.eventId,
    time: d.time,
    decisionId: d.decisionId,
    evidenceIds: [...ids],
    paths: attributes.map((a) => a.path),
    contacted,
  };
}

/**
 * A recall by consent form or banner version (a defective form, as in the JP/Politiken case):
 * everyone whose data was forwarded to a tool, or who was contacted, under evidence captured on it,
 * with counts per destination. Counts cover every decision; items are paged by decision.
 */
@Injectable()
export class FormRecall {
  constructor(
    @Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader,
    private readonly policies: PolicyVersions,
  ) {}

  async recall(formVersion: string, page: { after?: string; limit: number }): Promise<Recall> {
    const evidence = new Set<string>();
    let truncated = false;
    for (let after: string | undefined; ; ) {
      const rows = await this.lineage.formVersionAssessments(formVersion, { after, limit: SLICE });
      for (const r of rows) if (r.record.kind === 'consent-assessment') evidence.add(r.record.evidenceId);
      if (rows.length < SLICE) break;
      if (evidence.size >= MAX_EVIDENCE) {
        truncated = true;
        break;
      }
      after = rows[rows.length - 1]?.position;
    }
    const ids = [...evidence];
    const counts = new Map<string, { subjects: Set<string>; decisions: number }>();
    const pages: { position: string; items: RecallItem[] }[] = [];
    let read = 0;
    if (ids.length > 0)
      for (let after: string | undefined; ; ) {
        const rows = await this.lineage.decisionsCiting(ids, { after, limit: SLICE });
        for (const row of rows) {
          const rendered = await this.policies.render(row.record as DecisionLineageRecord);
          const relied = rendered.flatMap((d) => reliedOn(d, evidence) ?? []);
          for (const item of relied) {
            const c = counts.get(item.destination) ?? { subjects: new Set<string>(), decisions: 0 };
            c.subjects.add(item.subject);
            c.decisions += 1;
            counts.set(item.destination, c);
          }
          const onPage = page.after === undefined || comparePositions(row.position, page.after) > 0;
          if (relied.length > 0 && onPage && pages.length <= page.limit)
            pages.push({ position: row.position, items: relied });
        }
        read += rows.length;
        if (rows.length < SLICE) break;
        if (read >= MAX_DECISIONS) {
          truncated = true;
          break;
        }
        after = rows[rows.length - 1]?.position;
      }
    // A page holds up to `limit` decisions, each with its destinations: a cursor never splits one.
    const paged = pageOf(pages, page.limit, (p) => p.position);
    return {
      formVersion,
      evidence: evidence.size,
      perDestination: [...counts].map(([destination, c]) => ({
        destination,
        subjects: c.subjects.size,
        decisions: c.decisions,
      })),
      truncated,
      items: paged.items.flatMap((p) => p.items),
      nextCursor: paged.nextCursor,
    };
  }
}
