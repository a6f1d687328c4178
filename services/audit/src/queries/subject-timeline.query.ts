import { Inject, Injectable } from '@nestjs/common';
import type { LineageRecord, RenderedDecision } from '@app/contracts';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader } from '../lineage/lineage.reader';
import { PolicyVersions } from '../lineage/policy-versions';
import { type Page, pageOf } from '../api/page';

/** One entry of a person's timeline: the stored record, and for a decision its rendering. */
export interface TimelineItem {
  readonly position: string;
  readonly record: LineageRecord;
  /** For decision records: per destination, per attribute outcome, reason, rule, purpose, basis, evidence. */
  readonly decisions?: readonly RenderedDecision[];
}

/**
 * A person's lineage in log order: consent assessments, decisions (rendered per destination, or for
 * one), identity links, suppressions and dead letters.
 */
@Injectable()
export class SubjectTimeline {
  constructor(
    @Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader,
    private readonly policies: PolicyVersions,
  ) {}

  async page(
    subject: string,
    options: { after?: string; limit: number; from?: string; to?: string; destination?: string },
  ): Promise<Page<TimelineItem>> {
    const rows = await this.lineage.subjectRecords([subject], { ...options, limit: options.limit + 1 });
    const page = pageOf(rows, options.limit, (r) => r.position);
    const items: TimelineItem[] = [];
    for (const row of page.items) {
      if (row.record.kind !== 'decision') {
        items.push(row);
        continue;
      }
      const all = await this.policies.render(row.record);
      const decisions =
        options.destination === undefined ? all : all.filter((d) => d.destination === options.destination);
      items.push({ ...row, decisions });
    }
    return { items, nextCursor: page.nextCursor };
  }
}
