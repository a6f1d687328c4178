import { type Kafka } from 'kafkajs';
import { CONSENT_EVIDENCE_EVENT_TYPE } from '@app/contracts';
import { producerConfig } from '@app/kafka';
import { type EngineTopics } from '@app/stream';

/**
 * Where an NDJSON line goes, as a source system would publish it: consent evidence on the evidence
 * topic, a source event on its source's topic, keyed by subject. Lines that are not even JSON, or
 * name an undeclared source, still arrive on some source topic: that is the dead-letter path.
 */
export function routeLine(line: string, topics: EngineTopics): { topic: string; key: string | null } {
  const fallback = [...topics.sources.values()][0] as string;
  try {
    const e = JSON.parse(line) as { type?: unknown; source?: unknown; subject?: unknown };
    const key = typeof e.subject === 'string' ? e.subject : null;
    if (e.type === CONSENT_EVIDENCE_EVENT_TYPE) return { topic: topics.evidence, key };
    const t = typeof e.source === 'string' ? topics.sources.get(e.source) : undefined;
    return { topic: t ?? fallback, key };
  } catch {
    return { topic: fallback, key: null };
  }
}

/**
 * Publishes NDJSON lines as the source systems would: consent evidence on the evidence topic, each
 * source event on its source's topic, keyed by subject, with increasing record timestamps (the
 * produced order the engine merges by). Lines that are not JSON or name an undeclared source still
 * arrive on a source topic, so the dead-letter path is exercised.
 */
/** Records of one chunk of lines, grouped by topic, as `sendBatch` takes them. */
export type TopicMessages = {
  topic: string;
  messages: { key: string | null; value: string; timestamp: string }[];
}[];

/**
 * The lines as a source system would produce them, in chunks of 2,000: each routed by
 * {@link routeLine}, with strictly increasing record timestamps (the produced order the engine
 * merges by), so memory stays bounded.
 */
export function* sampleChunks(lines: readonly string[], topics: EngineTopics): Generator<TopicMessages> {
  const base = Date.now() - lines.length - 1000;
  for (let i = 0; i < lines.length; i += CHUNK) {
    const byTopic = new Map<string, { key: string | null; value: string; timestamp: string }[]>();
    lines.slice(i, i + CHUNK).forEach((line, j) => {
      const { topic, key } = routeLine(line, topics);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push({ key, value: line, timestamp: String(base + i + j) });
    });
    yield [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}

const CHUNK = 2000;

export async function publishLines(
  kafka: Kafka,
  topics: EngineTopics,
  lines: readonly string[],
  onProgress?: (sent: number) => void,
): Promise<void> {
  const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
  await producer.connect();
  try {
    let sent = 0;
    for (const topicMessages of sampleChunks(lines, topics)) {
      await producer.sendBatch({ topicMessages });
      sent += topicMessages.reduce((n, t) => n + t.messages.length, 0);
      onProgress?.(sent);
    }
  } finally {
    await producer.disconnect();
  }
}
