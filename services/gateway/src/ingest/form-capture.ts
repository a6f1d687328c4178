import { randomUUID } from 'node:crypto';
import {
  CONSENT_EVIDENCE_EVENT_TYPE,
  type ConsentEvidence,
  type EngagementKeys,
  mintEngagementToken,
  openEngagementToken,
} from '@app/contracts';
import { assessEvidenceEvent, type CompiledPolicy } from '@app/policy';
import { type GatewayMetrics } from '../http/gateway.metrics';
import { GatewayError } from '../http/gateway-error';
import { type EventProducer, type OutgoingRecord } from './event-producer';
import {
  readCheckout,
  readObjection,
  readPreferences,
  readSignUp,
  type FormSubmission,
  type SignUpFields,
} from './form-read';
import { produceOrFail } from './produce';

/** How long a confirmation link stays valid when the policy sets no confirmation window. */
export const DEFAULT_CONFIRMATION_TTL_S = 30 * 24 * 3600;

/** The confirmation link of a sign-up on a double opt-in form: the site e-mails it. */
export interface Confirmation {
  /** The sign-up evidence it confirms. */
  readonly evidenceId: string;
  /** Goes into the link `<gateway>/v1/confirm/<token>`. */
  readonly token: string;
  /** When the link stops working (RFC 3339). */
  readonly expiresAt: string;
}

/** Evidence the core assesses as granting nothing: the rule and its reason (no values). */
export interface Refusal {
  readonly evidenceId: string;
  readonly rule: string;
  readonly reason: string;
}

interface Assessed {
  readonly evidence: ConsentEvidence;
  readonly record: OutgoingRecord;
  readonly refused: Refusal | null;
}

/** What a form endpoint answers. */
export interface FormOutcome {
  readonly evidenceIds: readonly string[];
  /** Evidence recorded but granting nothing (pre-ticked box R1, competition form R17, opt-out used R15, ...). */
  readonly refused: readonly Refusal[];
  /** Sign-ups (or preference-centre grants) on double opt-in forms: their confirmation links. */
  readonly confirmations?: readonly Confirmation[];
}

/**
 * The site's forms as consent evidence: newsletter sign-up (double opt-in), checkout soft opt-in,
 * preference centre, objection from any channel, and the confirmation link. The form endpoints are
 * called by the site's backend (authenticated as a declared source), which knows the customer; the
 * confirmation link is called by the person's browser and carries its authority in the token.
 * Every piece of evidence is read by the core exactly as the engine will read it from the evidence
 * topic (contract and assessment) before it is produced: evidence the contract refuses is a 422
 * and nothing is produced; a grant the core refuses (pre-ticked box R1, competition form without
 * its separate consent step R17, opt-out used or no completed sale R15, ...) is recorded as the
 * proof of what happened, answered as refused with its rule, and gets no confirmation link.
 */
export class FormCapture {
  constructor(
    private readonly policy: CompiledPolicy,
    private readonly topicPrefix: string,
    private readonly evidenceSource: string,
    private readonly confirmationKeys: EngagementKeys | null,
    private readonly producer: EventProducer,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Newsletter or competition sign-up; on a double opt-in form, pending until confirmed (R14). */
  async signUp(source: string, body: unknown, nowMs: number): Promise<FormOutcome> {
    const assessed = this.record(this.signUpEvidence(source, readSignUp(body), nowMs), nowMs);
    return this.produceAll([assessed], this.confirmationsFor([assessed], nowMs));
  }

  /**
   * A confirmation link per sign-up on a double opt-in form, for the site to e-mail. Why the gateway
   * mints it: the link then confirms exactly the evidence recorded, and nothing else.
   */
  private confirmationsFor(assessed: readonly Assessed[], nowMs: number): Confirmation[] {
    // A refused sign-up gets no link: there is nothing to confirm.
    const pending = assessed
      .filter((a) => a.refused === null)
      .map((a) => a.evidence)
      .filter((e) => this.policy.forms.get(e.formVersion ?? '')?.doubleOptIn === true);
    if (pending.length === 0) return [];
    const keys = this.confirmationKeys;
    if (keys === null)
      throw new GatewayError(
        422,
        'confirmation-off',
        'formVersion: a double opt-in form needs confirmation links, and this gateway mints none',
      );
    const expiresAt = Math.floor(nowMs / 1000) + this.confirmationTtlS();
    return pending.map((e) => ({
      evidenceId: e.evidenceId,
      token: mintEngagementToken(keys, {
        campaignId: 'double-opt-in',
        subjectKey: e.subject.key,
        confirms: e.evidenceId,
        expiresAt,
      }),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    }));
  }

  /** True when the token is a confirmation link this gateway minted and it has not expired. */
  confirmationValid(token: string, nowMs: number): boolean {
    return this.openConfirmation(token, nowMs) !== null;
  }

  /** The click on the confirmation link: the double opt-in confirmation of its sign-up (R14). */
  async confirm(token: string, nowMs: number): Promise<FormOutcome> {
    const claims = this.openConfirmation(token, nowMs);
    if (claims === null) {
      this.metrics.refusals.inc({ endpoint: 'forms', code: 'bad-token' });
      throw new GatewayError(400, 'bad-token', 'token: not a valid, unexpired confirmation link');
    }
    const evidence: ConsentEvidence = {
      evidenceId: randomUUID(),
      kind: 'double-opt-in-confirmation',
      subject: { key: claims.subjectKey },
      timestamp: new Date(nowMs).toISOString(),
      cmp: 'double-opt-in-link',
      action: 'confirm_link_clicked',
      sourceChannel: 'email-link',
      confirms: claims.confirms,
    };
    return this.produceAll([this.record(evidence, nowMs)]);
  }

  /** Checkout: exactly the opt-out notice shown (form version, the box's state) after a sale (R15). */
  async checkout(source: string, body: unknown, nowMs: number): Promise<FormOutcome> {
    const c = readCheckout(body);
    const evidence: ConsentEvidence = {
      ...this.base(source, c, nowMs),
      kind: 'soft-opt-in-notice',
      formVersion: c.formVersion,
      textVersion: c.textVersion,
      ...(c.language === undefined ? {} : { language: c.language }),
      action: 'order_placed',
      sourceChannel: 'checkout',
      optOutOffered: c.optOutShown,
      optOutUsed: c.optOutTicked,
      sale: {
        completed: c.saleCompleted,
        ...(c.orderId === undefined ? {} : { orderId: c.orderId }),
        productGroups: c.productGroups,
      },
    };
    return this.produceAll([this.record(evidence, nowMs)]);
  }

  /**
   * Preference centre: grants and withdrawals in one request (R18: as easy as consenting). The
   * withdrawals come first, so a grant saved in the same request is not taken back by them.
   */
  async preferences(source: string, body: unknown, nowMs: number): Promise<FormOutcome> {
    const p = readPreferences(body);
    const withdrawals: ConsentEvidence[] = p.withdrawals.map((w) => ({
      ...this.base(source, p, nowMs),
      kind: 'withdrawal',
      ...(p.formVersion === undefined ? {} : { formVersion: p.formVersion }),
      action: 'preferences_saved',
      sourceChannel: 'preference-centre',
      withdrawal: w,
    }));
    const grants = p.grants.map((g) =>
      this.signUpEvidence(source, { ...g, subjectKey: p.subjectKey }, nowMs, 'preference-centre'),
    );
    const assessed = [...withdrawals, ...grants].map((e) => this.record(e, nowMs));
    return this.produceAll(assessed, this.confirmationsFor(assessed.slice(withdrawals.length), nowMs));
  }

  /** An objection to direct marketing (Art. 21(2), R19), from whichever channel received it. */
  async objection(source: string, body: unknown, nowMs: number): Promise<FormOutcome> {
    const o = readObjection(body);
    const evidence: ConsentEvidence = {
      ...this.base(source, o, nowMs),
      kind: 'objection',
      action: 'objection_submitted',
      sourceChannel: o.channel,
    };
    return this.produceAll([this.record(evidence, nowMs)]);
  }

  private signUpEvidence(
    source: string,
    f: SignUpFields & FormSubmission,
    nowMs: number,
    sourceChannel = 'web',
  ): ConsentEvidence {
    return {
      ...this.base(source, f, nowMs),
      kind: 'marketing-consent',
      formVersion: f.formVersion,
      textVersion: f.textVersion,
      action: f.action,
      uiLayer: 1,
      language: f.language,
      purposes: f.purposes,
      ...(f.scopes === undefined ? {} : { scopes: f.scopes }),
      sourceChannel,
      ...(f.url === undefined ? {} : { url: f.url }),
    };
  }

  /** Fields every form's evidence has: a fresh id, the subject, the server receive time, the form id. */
  private base(
    source: string,
    f: FormSubmission,
    nowMs: number,
  ): Pick<ConsentEvidence, 'evidenceId' | 'subject' | 'timestamp' | 'cmp'> {
    return {
      evidenceId: randomUUID(),
      subject: { key: f.subjectKey },
      timestamp: new Date(nowMs).toISOString(),
      cmp: `form:${source}`,
    };
  }

  private confirmationTtlS(): number {
    const window = this.policy.options.doubleOptInConfirmationMs;
    return window === null ? DEFAULT_CONFIRMATION_TTL_S : Math.max(1, Math.floor(window / 1000));
  }

  private openConfirmation(token: string, nowMs: number): { subjectKey: string; confirms: string } | null {
    if (this.confirmationKeys === null) return null;
    const claims = openEngagementToken(this.confirmationKeys, token);
    if (claims?.confirms === undefined || claims.expiresAt === undefined) return null;
    if (Math.floor(nowMs / 1000) > claims.expiresAt) return null;
    return { subjectKey: claims.subjectKey, confirms: claims.confirms };
  }

  /**
   * The evidence as a CloudEvent, read and assessed by the core as the engine will read it. Evidence
   * the contract refuses is a 422 and nothing is produced; evidence the core assesses as granting
   * nothing is produced all the same (the ledger keeps it, and later decisions cite its rule, R27)
   * and reported as refused.
   */
  private record(evidence: ConsentEvidence, nowMs: number): Assessed {
    const value = JSON.stringify({
      specversion: '1.0',
      id: evidence.evidenceId,
      source: this.evidenceSource,
      type: CONSENT_EVIDENCE_EVENT_TYPE,
      time: new Date(nowMs).toISOString(),
      subject: evidence.subject.key,
      datacontenttype: 'application/json',
      data: evidence,
    });
    const read = assessEvidenceEvent(this.policy, { value }, this.policy.evidenceTopic);
    if (read.outcome === 'refused' || read.unreadable !== null) {
      this.metrics.refusals.inc({ endpoint: 'forms', code: 'contract' });
      throw new GatewayError(
        422,
        'contract',
        `the form makes evidence the engine does not accept: ${read.outcome === 'refused' ? read.reason : read.unreadable}`,
      );
    }
    const refused = read.facts.valid
      ? null
      : { evidenceId: evidence.evidenceId, rule: read.facts.rule, reason: read.facts.reason };
    if (refused !== null) this.metrics.refusals.inc({ endpoint: 'forms', code: refused.rule });
    return { evidence, record: { key: read.subjectKey, value }, refused };
  }

  /** Produces the records, then answers with their ids, refusals and confirmation links. */
  private async produceAll(
    assessed: readonly Assessed[],
    confirmations: Confirmation[] = [],
  ): Promise<FormOutcome> {
    await this.produce(assessed.map((a) => a.record));
    return {
      evidenceIds: assessed.map((a) => a.evidence.evidenceId),
      refused: assessed.flatMap((a) => (a.refused === null ? [] : [a.refused])),
      confirmations,
    };
  }

  private produce(records: readonly OutgoingRecord[]): Promise<void> {
    return produceOrFail(
      this.producer,
      this.metrics,
      'forms',
      `${this.topicPrefix}${this.policy.evidenceTopic}`,
      records,
    );
  }
}
