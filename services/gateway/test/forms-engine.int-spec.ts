import 'reflect-metadata';
import { createHmac, randomUUID } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { type DecisionLineageRecord } from '@app/contracts';
import { consumeUntil, provideKafka, type KafkaUnderTest } from '@app/testing';
import { type GovernedStream } from '@app/stream';
import { testKafka } from '../../../test/engine/support/engine-stream.kit';
import { startEngineBehindGateway, type EngineBehindGateway } from './engine-behind-gateway';
import { postJson, type GatewayUnderTest, type TestSecrets } from './gateway-under-test';

const DESTINATIONS = ['email-service', 'segmentation'];

// The site's forms through the real engine: a double opt-in sign-up is not usable until its link
// is clicked (R14); a preference centre withdrawal ends as a suppression on every destination that
// received the person's data (R18); an objection blocks every marketing purpose (R19). Every step
// goes through the gateway: the forms, the confirmation link and the CRM's events.
describe('forms through the engine', () => {
  let broker: KafkaUnderTest;
  let running: EngineBehindGateway | undefined;
  let engine: GovernedStream;
  let gateway: GatewayUnderTest;
  let secrets: TestSecrets;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await provideKafka();
    running = await startEngineBehindGateway(broker, 'forms');
    ({ engine, gateway, secrets } = running);
    kafka = testKafka(broker.brokers);
  });
  afterAll(async () => {
    await running?.close();
    await broker?.stop();
  });

  const form = async (name: string, body: unknown) => {
    const answer = await postJson(`${gateway.url}/v1/forms/crm/${name}`, body, {
      'x-api-key': secrets.crmKey,
    });
    expect({ name, status: answer.status }).toEqual({ name, status: 202 });
    return answer.body as {
      evidenceIds: string[];
      refused: { rule: string }[];
      confirmations: { evidenceId: string; token: string }[];
    };
  };
  /** Waits until the engine has assessed every piece of evidence (its lineage record). */
  const assessed = (ids: readonly string[]) =>
    consumeUntil(kafka, [engine.topics.lineage], {
      until: (r) => ids.every((id) => r.some((x) => x.value?.includes(`"evidenceId":"${id}"`))),
      timeoutMs: 60000,
    });
  /** Sends a CRM update through the gateway and returns the engine's decision on it. */
  async function crmUpdate(subject: string): Promise<DecisionLineageRecord> {
    const id = `crm-${randomUUID()}`;
    const answer = await postJson(
      `${gateway.url}/v1/events/crm`,
      {
        specversion: '1.0',
        id,
        source: 'crm',
        type: 'customer.updated',
        time: new Date().toISOString(),
        subject,
        data: { email: `${subject}@example.dk`, firstName: 'Anna', city: 'Aarhus' },
      },
      { 'x-api-key': secrets.crmKey },
    );
    expect(answer.status).toBe(202);
    return decisionOf(id);
  }
  /** The engine's decision on the event `id`, from its lineage. */
  async function decisionOf(id: string): Promise<DecisionLineageRecord> {
    const records = await consumeUntil(kafka, [engine.topics.lineage], {
      until: (r) => r.some((x) => x.value?.includes(`"eventId":"${id}"`) && x.value.includes('"decision"')),
      timeoutMs: 60000,
    });
    return records
      .map((x) => JSON.parse(x.value ?? '{}') as DecisionLineageRecord)
      .find((x) => x.kind === 'decision' && x.eventId === id) as DecisionLineageRecord;
  }
  const forwardedTo = (decision: DecisionLineageRecord): string[] =>
    DESTINATIONS.filter((d) => {
      const digest = decision.destinations[d];
      return (digest?.f?.length ?? 0) + (digest?.p?.length ?? 0) > 0;
    });

  it('uses a sign-up only once confirmed, and suppresses everywhere on a preference centre withdrawal', async () => {
    const subject = `cust-${randomUUID().slice(0, 8)}`;
    const signUp = await form('signup', {
      subjectKey: subject,
      formVersion: 'newsletter-v3',
      textVersion: 'sha256:9c1d4e5f',
      language: 'da',
      action: 'checkbox_ticked',
      purposes: ['email.newsletter', 'seg.purchase_history'],
    });
    await assessed(signUp.evidenceIds);
    // Unconfirmed: nothing reaches any destination.
    expect(forwardedTo(await crmUpdate(subject))).toEqual([]);

    const [link] = signUp.confirmations;
    const confirmed = await postJson(`${gateway.url}/v1/confirm/${link.token}`, {});
    expect(confirmed.status).toBe(200);
    await assessed(confirmed.body.evidenceIds as string[]);
    expect(forwardedTo(await crmUpdate(subject))).toEqual(DESTINATIONS);

    const saved = await form('preferences', {
      subjectKey: subject,
      formVersion: 'preference-centre-v1',
      withdrawals: [{ all: true }],
    });
    await assessed(saved.evidenceIds);
    const topics = DESTINATIONS.map((d) => engine.topics.destinations.get(d) ?? '');
    const records = await consumeUntil(kafka, topics, {
      until: (r) =>
        topics.every((t) => r.some((x) => x.topic === t && x.headers['record-kind'] === 'suppression')),
      timeoutMs: 60000,
    });
    const emailSuppression = records.find(
      (x) => x.topic === topics[0] && x.headers['record-kind'] === 'suppression',
    );
    expect(emailSuppression?.key).toBe(subject);
    expect(forwardedTo(await crmUpdate(subject))).toEqual([]);
  });

  it('refuses a competition sign-up with partners behind a link, through the engine too (R17)', async () => {
    const subject = `cust-${randomUUID().slice(0, 8)}`;
    const entry = await form('signup', {
      subjectKey: subject,
      formVersion: 'competition-2024',
      textVersion: 'sha256:77aa',
      language: 'da',
      action: 'entry_submitted',
      purposes: ['email.newsletter'],
    });
    expect(entry.refused).toMatchObject([{ rule: 'R17' }]);
    const lineage = await assessed(entry.evidenceIds);
    const assessment = lineage
      .map((x) => JSON.parse(x.value ?? '{}') as { evidenceId?: string; valid?: boolean; rule?: string })
      .find((x) => x.evidenceId === entry.evidenceIds[0]);
    expect(assessment).toMatchObject({ valid: false, rule: 'R17' });
    expect(forwardedTo(await crmUpdate(subject))).toEqual([]);
  });

  /** Sends an order through the gateway as the checkout does (a signed request); returns the decision. */
  async function order(subject: string): Promise<DecisionLineageRecord> {
    const id = `ord-${randomUUID()}`;
    const body = JSON.stringify({
      specversion: '1.0',
      id,
      source: 'checkout',
      type: 'order.completed',
      time: new Date().toISOString(),
      subject,
      data: {
        orderId: id,
        email: `${subject}@example.dk`,
        items: [{ sku: 'sku-1', productGroup: 'running_shoes', priceDkk: 899 }],
        totalDkk: 899,
      },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secrets.checkoutSecret).update(`${ts}.${body}`).digest('hex');
    const answer = await postJson(`${gateway.url}/v1/events/checkout`, body, {
      'x-gateway-timestamp': ts,
      'x-gateway-signature': `v1=${signature}`,
    });
    expect(answer.status).toBe(202);
    return decisionOf(id);
  }

  it('opens e-mail about similar products after a checkout notice left unticked, not after a ticked one (R15)', async () => {
    const notice = (subjectKey: string, optOutBox: string) =>
      form('checkout', {
        subjectKey,
        formVersion: 'checkout-optout-v1',
        textVersion: 'sha256:4411',
        language: 'da',
        saleCompleted: true,
        productGroups: ['running_shoes'],
        optOutBox,
      });
    const kept = `cust-${randomUUID().slice(0, 8)}`;
    const optedOut = `cust-${randomUUID().slice(0, 8)}`;
    const keptNotice = await notice(kept, 'unticked');
    const optedOutNotice = await notice(optedOut, 'ticked');
    expect(optedOutNotice.refused).toMatchObject([{ rule: 'R15' }]);
    await assessed([...keptNotice.evidenceIds, ...optedOutNotice.evidenceIds]);
    expect(forwardedTo(await order(kept))).toContain('email-service');
    expect(forwardedTo(await order(optedOut))).not.toContain('email-service');
  });

  it('blocks every marketing purpose after an objection received by reply (R19)', async () => {
    const subject = `cust-${randomUUID().slice(0, 8)}`;
    const signUp = await form('signup', {
      subjectKey: subject,
      formVersion: 'newsletter-v3',
      textVersion: 'sha256:9c1d4e5f',
      language: 'da',
      action: 'checkbox_ticked',
      purposes: ['email.newsletter', 'seg.purchase_history', 'email.engagement_tracking'],
    });
    const confirmed = await postJson(`${gateway.url}/v1/confirm/${signUp.confirmations[0].token}`, {});
    await assessed([...signUp.evidenceIds, ...(confirmed.body.evidenceIds as string[])]);
    expect(forwardedTo(await crmUpdate(subject))).toEqual(DESTINATIONS);

    const objection = await form('objection', { subjectKey: subject, channel: 'email-reply' });
    await assessed(objection.evidenceIds);
    const decision = await crmUpdate(subject);
    expect(forwardedTo(decision)).toEqual([]);
  });
});
