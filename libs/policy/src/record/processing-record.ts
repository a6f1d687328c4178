import type { CompiledPolicy, Purpose } from '../policy-file/compiled-policy.types';
import type { ThirdCountryTransferFile } from '../policy-file/policy-file.types';
import { LEGAL_BASIS_ARTICLE } from '../vocabulary/legal-basis';

/** One processing activity (one purpose in use) of the record of processing (Art. 30(1)). */
export interface ProcessingActivity {
  readonly purpose: string;
  readonly description: string;
  readonly legalBasis: string;
  readonly legalBasisArticle: string;
  readonly directMarketing: boolean;
  readonly dataCategories: readonly string[];
  readonly subjectCategories: readonly string[];
  readonly recipients: readonly string[];
  /** The policy's destinations (internal systems) that receive data for this purpose. */
  readonly destinations: readonly string[];
  /** Where the data comes from: `source/type path` of each attribute collected for the purpose. */
  readonly collectedFrom: readonly string[];
  readonly thirdCountryTransfers: readonly ThirdCountryTransferFile[];
  readonly erasure: string;
  readonly securityMeasures: readonly string[];
}

/** The record of processing activities the policy describes, as JSON (`govern report art30 --format json`). */
export interface ProcessingRecordReport {
  readonly controller: string | null;
  readonly controllerContact: string | null;
  readonly dataProtectionOfficer: string | null;
  readonly policyVersion: string;
  readonly activities: readonly ProcessingActivity[];
}

/** Purpose key -> `source/type path` of what is collected or linked for it, in policy order. */
function collectedFor(policy: CompiledPolicy): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (purpose: string, what: string): void => {
    const list = out.get(purpose) ?? [];
    if (!list.includes(what)) list.push(what);
    out.set(purpose, list);
  };
  for (const spec of policy.eventTypes.values()) {
    for (const a of spec.attributes)
      for (const p of a.purposes) add(p.key, `${spec.source}/${spec.type} ${a.path}`);
    if (spec.identityLink !== undefined)
      add(
        spec.identityLink.requiresPurpose.key,
        `${spec.source}/${spec.type} ${spec.identityLink.aliasPath}`,
      );
  }
  for (const d of policy.destinations)
    for (const [key, plans] of d.plans) {
      const spec = policy.eventTypes.get(key);
      for (const plan of plans)
        for (const { purpose } of plan.assessed)
          if (spec !== undefined) add(purpose.key, `${spec.source}/${spec.type} ${plan.attribute.path}`);
    }
  return out;
}

function activity(
  purpose: Purpose,
  collected: readonly string[],
  destinations: string[],
): ProcessingActivity {
  const r = purpose.record;
  return {
    purpose: purpose.key,
    description: purpose.description,
    legalBasis: purpose.legalBasis,
    legalBasisArticle: LEGAL_BASIS_ARTICLE[purpose.legalBasis],
    directMarketing: purpose.directMarketing,
    dataCategories: r?.dataCategories ?? [],
    subjectCategories: r?.subjectCategories ?? [],
    recipients: r?.recipients ?? [],
    destinations,
    collectedFrom: collected,
    thirdCountryTransfers: r?.thirdCountryTransfers ?? [],
    erasure: r?.erasure ?? '',
    securityMeasures: r?.securityMeasures ?? [],
  };
}

/**
 * The record of processing activities (Art. 30(1)) generated from the policy: one activity per
 * purpose in use, in the policy's purpose order. Pure, so the CLI and the audit service print the
 * same record. A purpose no attribute, link, assessment or destination uses is not an activity.
 */
export function processingRecord(policy: CompiledPolicy): ProcessingRecordReport {
  const collected = collectedFor(policy);
  const activities: ProcessingActivity[] = [];
  for (const purpose of policy.purposes.values()) {
    const destinations = policy.destinations.filter((d) => d.purposeKeys.has(purpose.key)).map((d) => d.name);
    const from = collected.get(purpose.key) ?? [];
    if (from.length === 0 && destinations.length === 0) continue;
    activities.push(activity(purpose, from, destinations));
  }
  return {
    controller: policy.controller,
    controllerContact: policy.controllerContact,
    dataProtectionOfficer: policy.dataProtectionOfficer,
    policyVersion: policy.version,
    activities,
  };
}

/** A Markdown table cell: pipes and line breaks would break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function list(items: readonly string[], none: string): string {
  return items.length === 0 ? none : items.map(cell).join('; ');
}

/** The record as Markdown: one section per activity, each field of Art. 30(1) named. */
export function processingRecordMarkdown(report: ProcessingRecordReport): string[] {
  const lines = [
    '# Record of processing activities (GDPR Art. 30(1))',
    '',
    `Controller: ${report.controller ?? '(not named in the policy)'}  `,
    `Contact: ${report.controllerContact ?? '(not stated in the policy)'}  `,
    `Data protection officer: ${report.dataProtectionOfficer ?? '(none stated in the policy)'}  `,
    `Policy version: ${report.policyVersion}`,
  ];
  for (const a of report.activities) {
    const transfers = a.thirdCountryTransfers.map((t) => `${t.country}: ${t.recipient} (${t.safeguard})`);
    lines.push(
      '',
      `## ${a.purpose}`,
      '',
      '| field | entry |',
      '| --- | --- |',
      `| Purpose (b) | ${cell(a.description)} |`,
      `| Legal basis | ${a.legalBasisArticle}${a.directMarketing ? '; direct marketing (objection stops it, Art. 21(2))' : ''} |`,
      `| Categories of data subjects (c) | ${list(a.subjectCategories, 'none')} |`,
      `| Categories of personal data (c) | ${list(a.dataCategories, 'none')} |`,
      `| Collected from | ${list(a.collectedFrom, 'no source attribute')} |`,
      `| Categories of recipients (d) | ${list(a.recipients, 'none')} |`,
      `| Internal destinations | ${list(a.destinations, 'none')} |`,
      `| Third-country transfers (e) | ${list(transfers, 'none')} |`,
      `| Time limit for erasure (f) | ${cell(a.erasure)} |`,
      `| Security measures (g) | ${list(a.securityMeasures, 'none')} |`,
    );
  }
  return lines;
}
