import { Inject, Injectable } from '@nestjs/common';
import type {
  ConsentAssessmentLineageRecord,
  DecisionLineageRecord,
  SuppressionLineageRecord,
} from '@app/contracts';
import { LEGAL_BASIS_ARTICLE } from '@app/policy';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader } from '../lineage/lineage.reader';
import { PolicyVersions } from '../lineage/policy-versions';

/** Most lineage records one export reads; a person with more gets `truncated` (and the DPO pages the timeline). */
const MAX_RECORDS = 100_000;
const SLICE = 2000;

/** An attribute path held about the person, from one source and event type. */
export interface HeldPath {
  readonly source: string;
  readonly type: string;
  readonly path: string;
  readonly category: string;
  /** The purposes it was collected for, each with its legal basis (policy of the latest record). */
  readonly purposes: readonly { purpose: string; legalBasis: string; article: string }[];
  readonly firstCollected: string;
  readonly lastCollected: string;
}

/** A purpose of the held data as the policy (of the latest record) declares it. */
export interface PurposeInfo {
  readonly purpose: string;
  readonly description: string;
  readonly legalBasis: string;
  readonly article: string;
  readonly retention: string;
  readonly recipients: readonly string[];
}

/** A recipient the person's data actually reached (R29), with the dates. */
export interface Recipient {
  readonly destination: string;
  /** The recipients the policy's record of processing names for the purposes served. */
  readonly recipients: readonly string[];
  readonly paths: readonly string[];
  readonly decisions: number;
  readonly first: string;
  readonly last: string;
  /** The days (UTC) data was forwarded, at most 366 listed. */
  readonly days: readonly string[];
}

/** The Art. 15 access export of one person (all their pseudonyms). */
export interface AccessExport {
  readonly subjects: readonly string[];
  readonly policyVersions: readonly string[];
  readonly held: readonly HeldPath[];
  /**
   * Every purpose the held data was collected for: what it is used for (the description is the
   * processing, profiling included, in the controller's words), basis, retention, recipients.
   */
  readonly purposes: readonly PurposeInfo[];
  readonly consentHistory: readonly ConsentAssessmentLineageRecord[];
  readonly suppressions: readonly SuppressionLineageRecord[];
  readonly recipients: readonly Recipient[];
  readonly truncated: boolean;
}

/**
 * Art. 15 access export: what is held per source (paths, purposes and bases), the purposes with
 * their retention and recipients, the consent history, suppressions, and the recipients the data
 * was actually forwarded to, with dates (R29). Built from the lineage only; values are never in
 * the lineage, so the export names paths, not contents.
 */
@Injectable()
export class AccessExportQuery {
  constructor(
    @Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader,
    private readonly policies: PolicyVersions,
  ) {}

  async build(subjects: readonly string[]): Promise<AccessExport> {
    const held = new Map<string, { first: string; last: string; record: DecisionLineageRecord }>();
    const consentHistory: ConsentAssessmentLineageRecord[] = [];
    const suppressions: SuppressionLineageRecord[] = [];
    const recipients = new Map<
      string,
      {
        paths: Set<string>;
        decisions: number;
        first: string;
        last: string;
        days: Set<string>;
        version: string;
      }
    >();
    const versions = new Set<string>();
    let read = 0;
    let truncated = false;
    for (let after: string | undefined; ; ) {
      const rows = await this.lineage.subjectRecords(subjects, { after, limit: SLICE });
      for (const { record } of rows) {
        versions.add(record.policyVersion);
        if (record.kind === 'consent-assessment') consentHistory.push(record);
        else if (record.kind === 'suppression') suppressions.push(record);
        else if (record.kind === 'decision') {
          for (const path of record.paths) {
            const key = `${record.source}\u0000${record.type}\u0000${path}`;
            const h = held.get(key);
            held.set(key, {
              first: h === undefined || record.time < h.first ? record.time : h.first,
              last: h === undefined || record.time > h.last ? record.time : h.last,
              record,
            });
          }
          for (const d of await this.policies.render(record)) {
            if (d.outcome === 'withheld') continue;
            const r = recipients.get(d.destination) ?? {
              paths: new Set<string>(),
              decisions: 0,
              first: d.time,
              last: d.time,
              days: new Set<string>(),
              version: d.policyVersion,
            };
            for (const a of d.attributes) if (a.outcome !== 'withhold') r.paths.add(a.path);
            r.decisions += 1;
            if (d.time < r.first) r.first = d.time;
            if (d.time > r.last) r.last = d.time;
            r.version = d.policyVersion;
            if (r.days.size < 366) r.days.add(d.time.slice(0, 10));
            recipients.set(d.destination, r);
          }
        }
      }
      read += rows.length;
      if (rows.length < SLICE) break;
      if (read >= MAX_RECORDS) {
        truncated = true;
        break;
      }
      after = rows[rows.length - 1]?.position;
    }
    return {
      subjects,
      policyVersions: [...versions],
      held: await this.heldPaths(held),
      purposes: await this.purposesOf(held),
      consentHistory,
      suppressions,
      recipients: await this.recipientList(recipients),
      truncated,
    };
  }

  private async heldPaths(
    held: Map<string, { first: string; last: string; record: DecisionLineageRecord }>,
  ): Promise<HeldPath[]> {
    const out: HeldPath[] = [];
    for (const [key, h] of held) {
      const [source, type, path] = key.split('\u0000') as [string, string, string];
      const policy = await this.policies.compiled(h.record.policyVersion);
      const attribute = policy.eventTypesBySource
        .get(source)
        ?.get(type)
        ?.attributes.find((a) => a.path === path);
      out.push({
        source,
        type,
        path,
        category: attribute?.category ?? '',
        purposes: (attribute?.purposes ?? []).map((p) => ({
          purpose: p.key,
          legalBasis: p.legalBasis,
          article: LEGAL_BASIS_ARTICLE[p.legalBasis],
        })),
        firstCollected: h.first,
        lastCollected: h.last,
      });
    }
    return out.sort((a, b) =>
      `${a.source}/${a.type} ${a.path}`.localeCompare(`${b.source}/${b.type} ${b.path}`),
    );
  }

  private async purposesOf(held: Map<string, { record: DecisionLineageRecord }>): Promise<PurposeInfo[]> {
    const found = new Map<string, PurposeInfo>();
    for (const [key, h] of held) {
      const [source, type, path] = key.split('\u0000') as [string, string, string];
      const policy = await this.policies.compiled(h.record.policyVersion);
      const attribute = policy.eventTypesBySource
        .get(source)
        ?.get(type)
        ?.attributes.find((a) => a.path === path);
      for (const p of attribute?.purposes ?? [])
        found.set(p.key, {
          purpose: p.key,
          description: p.description,
          legalBasis: p.legalBasis,
          article: LEGAL_BASIS_ARTICLE[p.legalBasis],
          retention: p.record?.erasure ?? '',
          recipients: p.record?.recipients ?? [],
        });
    }
    return [...found.values()].sort((a, b) => a.purpose.localeCompare(b.purpose));
  }

  private async recipientList(
    found: Map<
      string,
      {
        paths: Set<string>;
        decisions: number;
        first: string;
        last: string;
        days: Set<string>;
        version: string;
      }
    >,
  ): Promise<Recipient[]> {
    const out: Recipient[] = [];
    for (const [destination, r] of found) {
      const policy = await this.policies.compiled(r.version);
      const served = policy.destinationsByName.get(destination)?.purposes ?? [];
      out.push({
        destination,
        recipients: [...new Set(served.flatMap((p) => p.record?.recipients ?? []))],
        paths: [...r.paths].sort(),
        decisions: r.decisions,
        first: r.first,
        last: r.last,
        days: [...r.days].sort(),
      });
    }
    return out.sort((a, b) => a.destination.localeCompare(b.destination));
  }
}
