import { randomUUID } from 'node:crypto';
import {
  adaptConsentMode,
  adaptCookiebot,
  adaptGpc,
  adaptOneTrust,
  adaptOwnBanner,
  adaptTcf,
  type AdapterResult,
  type CaptureContext,
  type TcfConfig,
} from '@app/consent-adapters';
import { CONSENT_EVIDENCE_EVENT_TYPE, type ConsentEvidence, verifySiteSubjectToken } from '@app/contracts';
import { type CompiledPolicy, decodeStructured } from '@app/policy';
import { type GatewayMetrics } from '../http/gateway.metrics';
import { GatewayError } from '../http/gateway-error';
import { type EventProducer, type OutgoingRecord } from './event-producer';
import { produceOrFail } from './produce';

/**
 * CloudEvents extension attribute of consent evidence events that carries the platform's signal as
 * the browser sent it (TC string, cookie value, Consent Mode command, our banner's JSON).
 */
export const CMP_SIGNAL_ATTRIBUTE = 'cmpsignal';

/** The adapters `POST /v1/consents/:adapter` serves. */
export const CONSENT_ADAPTERS = [
  'own-banner',
  'tcf',
  'consent-mode',
  'cookiebot',
  'onetrust',
  'gpc',
] as const;
export type ConsentAdapterName = (typeof CONSENT_ADAPTERS)[number];

/** What a capture answers. */
export interface CaptureOutcome {
  readonly evidenceIds: readonly string[];
  /** Banner choices granted on the platform but not shown on the banner's first layer (R2). */
  readonly leftOut: readonly string[];
}

/** What the request says besides the body: only headers a browser sends of itself. */
export interface CaptureRequest {
  readonly adapter: string;
  readonly body: unknown;
  /** The `Sec-GPC` header. */
  readonly gpc: string | undefined;
  readonly nowMs: number;
}

const BODY_KEYS = new Set(['deviceId', 'signal', 'banner', 'url', 'subjectToken']);
const BANNER_KEYS = new Set(['formVersion', 'textVersion', 'language']);
/** A device or cookie identifier: no `@`, so an e-mail address cannot pass as one. */
const DEVICE_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const PLATFORMS: ReadonlySet<string> = new Set(['tcf', 'consent-mode', 'cookiebot', 'onetrust']);

function bad(code: string, message: string): GatewayError {
  return new GatewayError(400, code, message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The page the signal came from without query or fragment, which may carry personal data. */
function pageOf(url: unknown): string | undefined {
  if (url === undefined) return undefined;
  if (typeof url !== 'string' || url.length > 2048)
    throw bad('malformed', 'url: an http(s) URL of at most 2048 characters');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    throw bad('malformed', 'url: an http(s) URL of at most 2048 characters');
  }
}

function bannerOf(value: unknown): CaptureContext['banner'] {
  if (value === undefined) return undefined;
  const problem =
    'banner: {formVersion, textVersion, language?}, the banner version served and the hash of its text';
  if (!isObject(value) || Object.keys(value).some((k) => !BANNER_KEYS.has(k)))
    throw bad('malformed', problem);
  const { formVersion, textVersion, language } = value;
  if (
    typeof formVersion !== 'string' ||
    formVersion.length < 1 ||
    formVersion.length > 128 ||
    typeof textVersion !== 'string' ||
    textVersion.length < 1 ||
    textVersion.length > 256 ||
    (language !== undefined &&
      (typeof language !== 'string' || !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/.test(language)))
  )
    throw bad('malformed', problem);
  return { formVersion, textVersion, ...(language === undefined ? {} : { language }) };
}

/**
 * `POST /v1/consents/:adapter`: a consent platform's callback or our banner's, from the browser.
 * The browser may assert its device identifier and its banner choice, nothing else: the subject is
 * the device; a signed-in person's key is taken only from the site's signed token (recorded beside
 * the device as `subject.identifiers.person`). The evidence time is the server's receive time.
 * Each piece of evidence passes the core's own first stage, as read from the evidence topic, before
 * it is produced; a `Sec-GPC: 1` header adds a GPC withdrawal after the platform's evidence.
 */
export class ConsentCapture {
  constructor(
    private readonly policy: CompiledPolicy,
    private readonly topicPrefix: string,
    private readonly evidenceSource: string,
    private readonly tcf: TcfConfig,
    private readonly siteTokenSecret: Buffer | null,
    private readonly producer: EventProducer,
    private readonly metrics: GatewayMetrics,
  ) {
    if (!policy.options.consentEvidenceSources.has(evidenceSource))
      throw new Error('GATEWAY_EVIDENCE_SOURCE: not one of the policy options.consentEvidenceSources');
  }

  async capture(request: CaptureRequest): Promise<CaptureOutcome> {
    const adapter = request.adapter;
    if (!(CONSENT_ADAPTERS as readonly string[]).includes(adapter))
      throw new GatewayError(404, 'unknown-adapter', `adapter: one of ${CONSENT_ADAPTERS.join(', ')}`);
    const body = request.body;
    if (!isObject(body)) throw bad('malformed', 'the body must be a JSON object {deviceId, signal, ...}');
    if (Object.keys(body).some((k) => !BODY_KEYS.has(k)))
      throw bad('malformed', `the body may hold only ${[...BODY_KEYS].join(', ')}`);
    if (typeof body.deviceId !== 'string' || !DEVICE_ID.test(body.deviceId))
      throw bad(
        'malformed',
        'deviceId: the device or cookie identifier, 8-128 characters of A-Z a-z 0-9 . _ : -',
      );
    const person = this.personOf(body.subjectToken, request.nowMs);
    const banner = bannerOf(body.banner);
    if (PLATFORMS.has(adapter) && banner === undefined)
      throw bad(
        'malformed',
        'banner: required for a consent platform (the banner version served and its text hash)',
      );
    const url = pageOf(body.url);
    const context = (): CaptureContext => ({
      evidenceId: randomUUID(),
      subjectKey: body.deviceId as string,
      receivedAt: new Date(request.nowMs).toISOString(),
      sourceChannel: 'web',
      ...(url === undefined ? {} : { url }),
      ...(banner === undefined ? {} : { banner }),
    });
    const results: AdapterResult[] = [
      this.adapt(adapter as ConsentAdapterName, body.signal, request.gpc, context()),
    ];
    if (adapter !== 'gpc' && request.gpc?.trim() === '1')
      results.push(adaptGpc(this.policy, request.gpc, context()));
    const evidence: ConsentEvidence[] = [];
    const leftOut: string[] = [];
    for (const result of results) {
      if (!result.ok) {
        this.metrics.refusals.inc({ endpoint: 'consents', code: result.refusal.code });
        throw new GatewayError(422, result.refusal.code, `${result.refusal.path}: ${result.refusal.message}`);
      }
      evidence.push(person === null ? result.evidence : withPerson(result.evidence, person));
      leftOut.push(...result.leftOut);
    }
    // The platform's signal as received travels with its evidence (not with the GPC withdrawal),
    // so the ledger can keep what the platform said beside what it was read as.
    const raw = adapter === 'gpc' ? undefined : rawSignal(body.signal);
    const records = evidence.map((e, i) => this.record(e, i === 0 ? raw : undefined));
    await produceOrFail(
      this.producer,
      this.metrics,
      'consents',
      `${this.topicPrefix}${this.policy.evidenceTopic}`,
      records,
    );
    return { evidenceIds: evidence.map((e) => e.evidenceId), leftOut };
  }

  private personOf(token: unknown, nowMs: number): string | null {
    if (token === undefined) return null;
    if (this.siteTokenSecret === null)
      throw bad('site-token-not-accepted', 'subjectToken: this gateway accepts no site tokens; leave it out');
    const verified = verifySiteSubjectToken(this.siteTokenSecret, token, Math.floor(nowMs / 1000));
    if (!verified.ok) {
      this.metrics.refusals.inc({ endpoint: 'consents', code: `site-token-${verified.problem}` });
      throw new GatewayError(
        401,
        `site-token-${verified.problem}`,
        'subjectToken: not a valid, unexpired token signed by the site',
      );
    }
    return verified.claims.subjectKey;
  }

  private adapt(
    adapter: ConsentAdapterName,
    signal: unknown,
    gpc: string | undefined,
    context: CaptureContext,
  ): AdapterResult {
    switch (adapter) {
      case 'own-banner':
        return adaptOwnBanner(this.policy, signal, context);
      case 'tcf':
        return adaptTcf(this.policy, signal, context, this.tcf);
      case 'consent-mode':
        return adaptConsentMode(this.policy, signal, context);
      case 'cookiebot':
        return adaptCookiebot(this.policy, signal === undefined ? null : signal, context);
      case 'onetrust':
        return adaptOneTrust(this.policy, signal, context);
      case 'gpc':
        return adaptGpc(this.policy, gpc, context);
    }
  }

  /** The evidence as a CloudEvent, checked as the engine will read it from the evidence topic. */
  private record(evidence: ConsentEvidence, signal: string | undefined): OutgoingRecord {
    const value = JSON.stringify({
      specversion: '1.0',
      id: evidence.evidenceId,
      source: this.evidenceSource,
      type: CONSENT_EVIDENCE_EVENT_TYPE,
      time: evidence.timestamp,
      subject: evidence.subject.key,
      datacontenttype: 'application/json',
      // A CloudEvents extension attribute: the engine ignores it, the ledger keeps it.
      ...(signal === undefined ? {} : { [CMP_SIGNAL_ATTRIBUTE]: signal }),
      data: evidence,
    });
    const decoded = decodeStructured(this.policy, value, this.policy.evidenceTopic);
    if (decoded.kind !== 'evidence' || decoded.unreadable !== null) {
      this.metrics.refusals.inc({ endpoint: 'consents', code: 'contract' });
      throw new GatewayError(422, 'contract', 'the signal does not make evidence the engine accepts');
    }
    return { key: decoded.subject, value };
  }
}

/** The raw signal as text: a string as received (TC string, cookie), anything else as its JSON. */
function rawSignal(signal: unknown): string | undefined {
  if (signal === undefined || signal === null) return undefined;
  return typeof signal === 'string' ? signal : JSON.stringify(signal);
}

function withPerson(evidence: ConsentEvidence, person: string): ConsentEvidence {
  return {
    ...evidence,
    subject: { ...evidence.subject, identifiers: { ...evidence.subject.identifiers, person } },
  };
}
