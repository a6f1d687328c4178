import { createHash, randomBytes } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { CONSENT_EVIDENCE_EVENT_TYPE } from '@app/contracts';
import { producerConfig } from '@app/kafka';
import { checkEvidence, type CompiledPolicy } from '@app/policy';
import { routeLine } from '@app/sample';
import { type EngineTopics } from '@app/stream';
import {
  adaptPlatform,
  BANNER_ROUTES,
  decidedAlike,
  JOB_TCF_CMP_ID,
  JOB_TCF_POLICY_VERSION,
  platformSignal,
} from './cmp-routes';
import { startServiceProcess } from './service-process';

/**
 * The sample's consent evidence through the gateway's form endpoints, the rest produced directly,
 * in the sample's order. The sample is history, so the gateway runs as a child on a replay clock
 * this job sets before each request: its receive time for a line is the line's own time (a receive
 * time of today would put every consent after the events it governs). The records the gateway produced are read back, so
 * `govern dry-run` replays exactly what the engine reads.
 */
export interface CaptureResult {
  /** The lines as produced, in produced order: the gateway's records in place of the sample's. */
  readonly produced: string[];
  /** Lines sent through each form endpoint. */
  readonly viaGateway: ReadonlyMap<string, number>;
  /** Lines produced directly (source events, and evidence no gateway endpoint expresses). */
  readonly direct: number;
  /** Records on the evidence topic: what the consent ledger will hold a row for each of. */
  readonly evidenceRecords: number;
}

type Data = Record<string, unknown>;

/**
 * A banner choice as the browser's callback. The choices take turns over our own banner, a TC
 * string, a Consent Mode command, a Cookiebot cookie and OneTrust's cookies; a choice the turn's
 * platform cannot express exactly (checked by running its adapter here and assessing both with the
 * core) goes as our own banner's JSON. A choice the platform reported as implied goes as the
 * Cookiebot cookie that says so. Null when no callback expresses it: a signed-in person's choice
 * (the demo has no site token), another platform signal, a banner the policy does not register.
 */
function bannerRequest(
  policy: CompiledPolicy,
  data: Data,
  subject: string,
  at: number,
  turn: () => number,
): Request | null {
  const form = policy.forms.get(String(data.formVersion));
  const subjectData = data.subject as Data | undefined;
  if (form?.kind !== 'cookie-banner' || subjectData?.identifiers !== undefined) return null;
  const signal = data.cmpSignal as Data | undefined;
  if (signal !== undefined) {
    if (signal.method !== 'implied' || Object.keys(signal).length !== 1) return null;
    const on = (choice: string): boolean =>
      (form.choices.get(choice) ?? []).some((p) => (data.purposes as string[] | undefined)?.includes(p));
    const cookie =
      `{stamp:'${randomBytes(12).toString('base64')}',necessary:true,preferences:${on('preferences')},` +
      `statistics:${on('statistics')},marketing:${on('marketing')},method:'implied',ver:1,utc:${at},region:'dk'}`;
    return {
      path: 'consents/cookiebot',
      body: {
        deviceId: subject,
        banner: { formVersion: form.version, textVersion: data.textVersion, language: data.language },
        signal: encodeURIComponent(cookie).replace(/%3A/g, ':'),
      },
    };
  }
  const purposes = new Set((data.purposes as string[] | undefined) ?? []);
  const route = BANNER_ROUTES[turn() % BANNER_ROUTES.length];
  const original = checkEvidence(data);
  if (route !== 'own-banner' && original.ok) {
    const choice = { form, purposes, atMs: at };
    const signal = platformSignal(route, choice);
    const banner = {
      formVersion: form.version,
      textVersion: String(data.textVersion),
      language: String(data.language),
    };
    const context = {
      evidenceId: 'check',
      subjectKey: subject,
      receivedAt: new Date(at).toISOString(),
      sourceChannel: 'web',
      banner,
    };
    if (
      signal !== null &&
      decidedAlike(policy, original.evidence, adaptPlatform(policy, route, signal, context))
    )
      return {
        path: `consents/${route}`,
        body: { deviceId: subject, banner, signal },
      };
  }
  const choices = Object.fromEntries(
    [...form.choices].map(([choice, of]) => [choice, of.length > 0 && of.every((p) => purposes.has(p))]),
  );
  return {
    path: 'consents/own-banner',
    body: {
      deviceId: subject,
      signal: {
        bannerVersion: form.version,
        textVersion: data.textVersion,
        language: data.language,
        action: data.action,
        layer: data.uiLayer,
        choices,
      },
    },
  };
}

interface Request {
  readonly path: string;
  readonly body: unknown;
}

/** A form or banner request for an evidence line, or null when no endpoint expresses it. */
function formRequest(
  policy: CompiledPolicy,
  data: Data,
  subject: string,
  at: number,
  confirmations: ReadonlyMap<string, string>,
  turn: () => number,
): Request | null {
  switch (data.kind) {
    case 'cookie-banner':
      return bannerRequest(policy, data, subject, at, turn);
    case 'marketing-consent':
      if (data.uiLayer !== 1 || data.sourceChannel !== 'web') return null;
      return {
        path: 'forms/crm/signup',
        body: {
          subjectKey: subject,
          formVersion: data.formVersion,
          textVersion: data.textVersion,
          language: data.language,
          action: data.action,
          purposes: data.purposes,
          ...(data.scopes === undefined ? {} : { scopes: data.scopes }),
        },
      };
    case 'double-opt-in-confirmation': {
      const token = confirmations.get(String(data.confirms));
      return token === undefined ? null : { path: `confirm/${token}`, body: {} };
    }
    case 'soft-opt-in-notice': {
      const sale = data.sale as Data | undefined;
      if (sale === undefined || typeof data.optOutOffered !== 'boolean') return null;
      if (data.optOutOffered === false && data.optOutUsed === true) return null;
      return {
        path: 'forms/crm/checkout',
        body: {
          subjectKey: subject,
          formVersion: data.formVersion,
          textVersion: data.textVersion,
          ...(data.language === undefined ? {} : { language: data.language }),
          ...(sale.orderId === undefined ? {} : { orderId: sale.orderId }),
          saleCompleted: sale.completed,
          productGroups: sale.productGroups,
          optOutBox: !data.optOutOffered ? 'not-shown' : data.optOutUsed === true ? 'ticked' : 'unticked',
        },
      };
    }
    case 'withdrawal':
      return {
        path: 'forms/crm/preferences',
        body: { subjectKey: subject, withdrawals: [data.withdrawal ?? { all: true }] },
      };
    case 'objection':
      // A channel the endpoint does not know is refused (400), and the line is produced directly.
      return { path: 'forms/crm/objection', body: { subjectKey: subject, channel: data.sourceChannel } };
    default:
      return null;
  }
}

interface SampleEvent {
  readonly type?: unknown;
  readonly subject?: unknown;
  readonly time?: unknown;
  readonly data?: unknown;
}

function parseEvent(line: string): SampleEvent | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as SampleEvent) : null;
  } catch {
    return null;
  }
}

/** The gateway of this run: a child process on the replay clock, reached on loopback. */
interface ReplayGateway {
  readonly url: string;
  readonly key: string;
  /** Sets the gateway's clock; resolves once the gateway acknowledged it. */
  setClock(ms: number): Promise<void>;
  stop(): Promise<void>;
}

async function startGateway(root: string, brokers: string, prefix: string): Promise<ReplayGateway> {
  const key = randomBytes(24).toString('base64url');
  const service = startServiceProcess(
    root,
    'dist/services/gateway/src/replay-main.js',
    {
      ...process.env,
      KAFKA_BROKERS: brokers,
      GATEWAY_TOPIC_PREFIX: prefix,
      GATEWAY_SOURCE_KEYS: `crm=${createHash('sha256').update(key).digest('hex')}`,
      GATEWAY_ENGAGEMENT_TOKEN_SECRET: randomBytes(32).toString('base64'),
      // One client replays a whole sample: the per-source rate limit is for the open internet.
      GATEWAY_RATE_PER_S: '1000000',
      GATEWAY_RATE_BURST: '1000000',
      GATEWAY_DOCS: 'false',
      GATEWAY_TCF_CMP_IDS: String(JOB_TCF_CMP_ID),
      GATEWAY_TCF_POLICY_VERSION: String(JOB_TCF_POLICY_VERSION),
      LOG_LEVEL: 'warn',
    },
    { ipc: true },
  );
  const { child } = service;
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error('the gateway did not start in 60 s')), 60000);
    child.once('exit', () => fail(new Error('the gateway exited at start (see its log above)')));
    child.on('message', (m: unknown) => {
      const at = (m as { url?: unknown } | null)?.url;
      if (typeof at === 'string') {
        clearTimeout(timer);
        done(at);
      }
    });
  });
  return {
    url,
    key,
    setClock: (ms) =>
      new Promise<void>((done) => {
        const onAck = (m: unknown): void => {
          if ((m as { ack?: unknown } | null)?.ack === ms) {
            child.off('message', onAck);
            done();
          }
        };
        child.on('message', onAck);
        child.send({ now: ms });
      }),
    stop: async () => {
      await service.stop();
    },
  };
}

/** Reads the evidence topic until every id is there; returns the record values by CloudEvent id. */
async function readBack(kafka: Kafka, topic: string, ids: ReadonlySet<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (ids.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `main-job-readback-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error('the gateway evidence was not read back in 120 s')),
        120000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value?.toString('utf8') ?? '';
          try {
            const id = (JSON.parse(value) as { id?: unknown }).id;
            if (typeof id === 'string' && ids.has(id)) found.set(id, value);
          } catch {
            // a direct sample line that is not JSON: not the gateway's
          }
          if (found.size === ids.size) {
            clearTimeout(timer);
            done();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
}

/**
 * Sends the lines in order: each evidence line a form endpoint expresses through the gateway, the
 * rest produced directly. Every record gets a later millisecond than the one before it, because
 * the engine merges its input topics by record timestamp.
 */
export async function captureSample(
  root: string,
  policy: CompiledPolicy,
  kafka: Kafka,
  brokers: string,
  prefix: string,
  topics: EngineTopics,
  lines: readonly string[],
  onProgress: (sent: number) => void,
): Promise<CaptureResult> {
  const gateway = await startGateway(root, brokers, prefix);
  const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
  await producer.connect();
  const slots: (string | { id: string })[] = [];
  const viaGateway = new Map<string, number>();
  const confirmations = new Map<string, string>();
  const gatewayIds = new Set<string>();
  let direct = 0;
  let bannerTurns = 0;
  const turn = (): number => bannerTurns++;
  let lastTs = 0;
  const nextMs = async (): Promise<void> => {
    while (Date.now() <= lastTs) await new Promise((r) => setTimeout(r, 1));
  };
  let pending: { topic: string; key: string | null; value: string }[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const byTopic = new Map<string, { key: string | null; value: string; timestamp: string }[]>();
    for (const p of pending) {
      lastTs = Math.max(Date.now(), lastTs + 1);
      const list = byTopic.get(p.topic) ?? [];
      list.push({ key: p.key, value: p.value, timestamp: String(lastTs) });
      byTopic.set(p.topic, list);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    pending = [];
  };
  try {
    for (const [i, line] of lines.entries()) {
      if (i % 2000 === 0) onProgress(i);
      const event = parseEvent(line);
      const data = event?.data as Data | undefined;
      const request =
        event?.type === CONSENT_EVIDENCE_EVENT_TYPE &&
        typeof event.subject === 'string' &&
        typeof event.time === 'string' &&
        typeof data === 'object' &&
        data !== null
          ? formRequest(policy, data, event.subject, Date.parse(event.time), confirmations, turn)
          : null;
      if (request !== null) {
        await flush();
        await nextMs();
        await gateway.setClock(Date.parse(event?.time as string));
        const answer = await fetch(`${gateway.url}/v1/${request.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': gateway.key },
          body: JSON.stringify(request.body),
        });
        const body = (await answer.json()) as {
          evidenceIds?: string[];
          confirmations?: { token: string }[];
        };
        lastTs = Date.now();
        if (answer.ok && body.evidenceIds?.length === 1) {
          const id = body.evidenceIds[0] as string;
          gatewayIds.add(id);
          slots.push({ id });
          const endpoint = request.path.startsWith('confirm/') ? 'confirm' : request.path;
          viaGateway.set(endpoint, (viaGateway.get(endpoint) ?? 0) + 1);
          const token = body.confirmations?.[0]?.token;
          if (token !== undefined) confirmations.set(String(data?.evidenceId), token);
          continue;
        }
        // Refused as malformed (the sample's hostile cases): produced as the sample has it.
        if (answer.status >= 500) throw new Error(`the gateway answered ${answer.status}`);
      }
      const { topic, key } = routeLine(line, topics);
      pending.push({ topic, key, value: line });
      slots.push(line);
      direct++;
    }
    await flush();
    onProgress(lines.length);
  } finally {
    await producer.disconnect();
    await gateway.stop();
  }
  const values = await readBack(kafka, topics.evidence, gatewayIds);
  const produced = slots.map((s) => (typeof s === 'string' ? s : (values.get(s.id) as string)));
  const evidenceRecords = produced.filter((line) => routeLine(line, topics).topic === topics.evidence).length;
  return { produced, viaGateway, direct, evidenceRecords };
}
