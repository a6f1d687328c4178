import type { CompiledPolicy } from '@app/policy';
import type { LedgerRow } from './ledger-row';

/** How a consent was given, as the evidence recorded it. */
export interface ReceiptCollection {
  readonly kind: string | null;
  readonly action: string | null;
  readonly uiLayer: number | null;
  readonly cmp: string | null;
  readonly sourceChannel: string | null;
  readonly language: string | null;
}

/** One piece of evidence in a receipt (ISO/IEC TS 27560 "consent record" style). */
export interface ReceiptRecord {
  /** The ledger row's id (sequence number) and hash: the proof to check it against. */
  readonly ledgerSeq: string;
  readonly ledgerHash: string;
  readonly evidenceId: string | null;
  /** `given`, `refused` (an invalid or refusing choice), `withdrawn`, `objected`, `recorded`. */
  readonly state: 'given' | 'refused' | 'withdrawn' | 'objected' | 'recorded';
  /** When the choice was made (the evidence time) and when it was received (the event time). */
  readonly time: string | null;
  readonly receivedAt: string | null;
  readonly purposes: readonly { purpose: string; legalBasis: string | null; description: string | null }[];
  readonly scopes: unknown;
  readonly withdrawal: unknown;
  /** On which text: the form version, the hash the evidence names, the hash of the stored text. */
  readonly notice: {
    readonly formVersion: string | null;
    readonly textVersion: string | null;
    readonly storedTextHash: string | null;
    /** True when the evidence names the hash of the text the ledger stores for the form version. */
    readonly textMatches: boolean | null;
  };
  readonly collection: ReceiptCollection;
  readonly assessment: {
    readonly valid: boolean | null;
    readonly rule: string | null;
    readonly reason: string;
  };
  readonly policyVersion: string;
  /** How to withdraw it, as the policy declares for the form (null when it says nothing). */
  readonly howToWithdraw: string | null;
}

/** A consent receipt for one person: what, when, on which text, how given, how to withdraw. */
export interface ConsentReceipt {
  readonly receiptFormat: 'ISO/IEC TS 27560-style consent receipt';
  readonly receiptVersion: 1;
  readonly issuedAt: string;
  /** The person, by the keyed pseudonyms the ledger knows them by (never the clear identifier). */
  readonly piiPrincipal: { readonly pseudonyms: readonly string[] };
  readonly piiController: {
    readonly name: string | null;
    readonly contact: string | null;
    readonly dataProtectionOfficer: string | null;
  };
  readonly policyVersion: string;
  readonly records: readonly ReceiptRecord[];
  /** Whether the person's own chain in the ledger hashes and links without a break. */
  readonly ledger: { readonly rows: number; readonly chainHolds: boolean };
}

const OPEN_FIELDS = [
  'action',
  'uiLayer',
  'cmp',
  'sourceChannel',
  'language',
  'scopes',
  'withdrawal',
] as const;

function openPart(row: LedgerRow): Partial<Record<(typeof OPEN_FIELDS)[number], unknown>> {
  if (row.evidence === null) return {};
  const parsed = JSON.parse(row.evidence) as Record<string, unknown>;
  return Object.fromEntries(OPEN_FIELDS.map((f) => [f, parsed[f]]));
}

function stateOf(row: LedgerRow): ReceiptRecord['state'] {
  if (row.outcome === 'refused') return 'recorded';
  if (row.evidenceKind === 'withdrawal') return 'withdrawn';
  if (row.evidenceKind === 'objection') return 'objected';
  return row.valid === true ? 'given' : 'refused';
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Builds a person's consent receipt from their ledger rows and the policy in force (for purpose
 * descriptions, legal bases, the controller and how to withdraw). Pure: the issue time is given.
 * Nothing sealed is opened: a receipt names the person only by pseudonym.
 */
export function buildConsentReceipt(
  policy: CompiledPolicy,
  pseudonyms: readonly string[],
  rows: readonly LedgerRow[],
  chainHolds: boolean,
  issuedAt: string,
): ConsentReceipt {
  const records = rows.map((row): ReceiptRecord => {
    const open = openPart(row);
    const form = row.formVersion === null ? undefined : policy.forms.get(row.formVersion);
    const purposes = row.purposes === null ? [] : (JSON.parse(row.purposes) as string[]);
    return {
      ledgerSeq: row.seq,
      ledgerHash: row.hash,
      evidenceId: row.evidenceId,
      state: stateOf(row),
      time: row.evidenceTime,
      receivedAt: row.eventTime,
      purposes: purposes.map((p) => {
        const purpose = policy.purposes.get(p);
        return {
          purpose: p,
          legalBasis: purpose?.legalBasis ?? null,
          description: purpose?.description ?? null,
        };
      }),
      scopes: open.scopes ?? null,
      withdrawal: open.withdrawal ?? null,
      notice: {
        formVersion: row.formVersion,
        textVersion: row.textVersion,
        storedTextHash: row.textHash,
        textMatches:
          row.textHash === null || row.textVersion === null ? null : row.textHash === row.textVersion,
      },
      collection: {
        kind: row.evidenceKind,
        action: str(open.action),
        uiLayer: typeof open.uiLayer === 'number' ? open.uiLayer : null,
        cmp: str(open.cmp),
        sourceChannel: str(open.sourceChannel),
        language: str(open.language),
      },
      assessment: { valid: row.valid, rule: row.rule, reason: row.reason },
      policyVersion: row.policyVersion,
      howToWithdraw: form?.howToWithdraw ?? null,
    };
  });
  return {
    receiptFormat: 'ISO/IEC TS 27560-style consent receipt',
    receiptVersion: 1,
    issuedAt,
    piiPrincipal: { pseudonyms: [...pseudonyms] },
    piiController: {
      name: policy.controller,
      contact: policy.controllerContact,
      dataProtectionOfficer: policy.dataProtectionOfficer,
    },
    policyVersion: policy.version,
    records,
    ledger: { rows: rows.length, chainHolds },
  };
}
