import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { engagementKeys, mintEngagementToken } from '@app/contracts';
import { producerConfig } from '@app/kafka';
import { provideKafka, consumeUntil, type KafkaUnderTest } from '@app/testing';
import { consentEvent } from '../../../libs/policy/test/rule-fixture.harness';
import { testKafka } from '../../../test/engine/support/engine-stream.kit';
import { startEngineBehindGateway, type EngineBehindGateway } from './engine-behind-gateway';

// The whole path of an e-mail open: the gateway's pixel produces `email.opened`, the policy engine
// (the real stream on the broker) decides it. Only the recipient with engagement-tracking consent
// has the open forwarded; of the other's, no destination receives anything (R23).
describe('pixel opens through the engine', () => {
  let broker: KafkaUnderTest;
  let running: EngineBehindGateway | undefined;

  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await running?.close();
    await broker?.stop();
  });

  it('forwards an open only with engagement-tracking consent', async () => {
    running = await startEngineBehindGateway(broker, 'pixel');
    const { engine, gateway, secrets } = running;
    const tracked = `cust-${randomUUID().slice(0, 8)}`;
    const untracked = `cust-${randomUUID().slice(0, 8)}`;

    // Newsletter consent with double opt-in for both; only `tracked` also consented to tracking.
    const kafka = testKafka(broker.brokers);
    const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    try {
      for (const [subject, purposes] of [
        [tracked, ['email.newsletter', 'email.engagement_tracking']],
        [untracked, ['email.newsletter']],
      ] as const) {
        const signUp = consentEvent({
          id: `${subject}-signup`,
          subject,
          time: '2026-12-01T10:00:00Z',
          kind: 'marketing-consent',
          form: 'newsletter-v3',
          action: 'checkbox_ticked',
          purposes: [...purposes],
        });
        const confirm = consentEvent({
          id: `${subject}-confirm`,
          subject,
          time: '2026-12-01T10:05:00Z',
          kind: 'double-opt-in-confirmation',
          extra: { confirms: `ev-${subject}-signup` },
        });
        for (const event of [signUp, confirm])
          await producer.send({
            topic: engine.topics.evidence,
            acks: -1,
            messages: [{ key: subject, value: JSON.stringify(event) }],
          });
      }
    } finally {
      await producer.disconnect();
    }

    const keys = engagementKeys(secrets.engagementSecret);
    for (const [subject, campaignId] of [
      [tracked, 'camp-tracked'],
      [untracked, 'camp-untracked'],
    ]) {
      const pixel = await fetch(
        `${gateway.url}/v1/pixel/${mintEngagementToken(keys, { campaignId, subjectKey: subject })}.gif`,
      );
      expect(pixel.status).toBe(200);
    }

    // Both opens decided: the lineage holds a record of each open event the gateway produced.
    const opens = await consumeUntil(kafka, [engine.topics.sources.get('email') ?? ''], {
      until: (r) => r.length >= 2,
    });
    const openIds = opens.map((r) => (JSON.parse(r.value ?? '') as { id: string }).id);
    await consumeUntil(kafka, [engine.topics.lineage], {
      until: (r) => openIds.every((id) => r.some((x) => x.value?.includes(id))),
      timeoutMs: 60000,
    });
    const destinations = [...engine.topics.destinations.values()];
    const emailService = engine.topics.destinations.get('email-service');
    const forwarded = await consumeUntil(kafka, destinations, {
      until: (r) => r.some((x) => x.topic === emailService && x.value?.includes('camp-tracked')),
      timeoutMs: 60000,
    });
    // The e-mail service takes identifiers as they are: the open is the tracked recipient's.
    expect(forwarded.some((x) => x.topic === emailService && x.key === tracked)).toBe(true);
    expect(forwarded.filter((x) => x.value?.includes('camp-untracked'))).toEqual([]);
    expect(forwarded.filter((x) => x.key === untracked)).toEqual([]);
  });
});
