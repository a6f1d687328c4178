import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { engagementKeys, mintEngagementToken } from '@app/contracts';
import { producerConfig } from '@app/kafka';
import { consumeUntil, provideKafka, type KafkaUnderTest } from '@app/testing';
import { type GovernedStream } from '@app/stream';
import { consentEvent } from '../../../libs/policy/test/rule-fixture.harness';
import { testKafka } from '../../../test/engine/support/engine-stream.kit';
import { startEngineBehindGateway, type EngineBehindGateway } from './engine-behind-gateway';
import { type GatewayUnderTest, type TestSecrets } from './gateway-under-test';

// The unsubscribe link of a marketing e-mail, RFC 8058 one-click: the gateway records a withdrawal
// of e-mail marketing, and the engine (the real stream) suppresses the person on the e-mail
// destination that relied on the newsletter consent (R18).
describe('unsubscribe link through the engine', () => {
  let broker: KafkaUnderTest;
  let running: EngineBehindGateway | undefined;
  let engine: GovernedStream;
  let gateway: GatewayUnderTest;
  let secrets: TestSecrets;

  beforeAll(async () => {
    broker = await provideKafka();
    running = await startEngineBehindGateway(broker, 'unsubscribe');
    ({ engine, gateway, secrets } = running);
  });
  afterAll(async () => {
    await running?.close();
    await broker?.stop();
  });

  const unsubscribeToken = (subjectKey: string) =>
    mintEngagementToken(engagementKeys(secrets.engagementSecret, 'unsubscribe'), {
      campaignId: 'spring',
      subjectKey,
    });
  const oneClick = (
    token: string,
    body = 'List-Unsubscribe=One-Click',
    type = 'application/x-www-form-urlencoded',
  ) =>
    fetch(`${gateway?.url}/v1/unsubscribe/${token}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });

  it('withdraws e-mail marketing in one POST, and the engine suppresses the person', async () => {
    if (engine === undefined || gateway === undefined) throw new Error('started in beforeAll');
    const subject = `cust-${randomUUID().slice(0, 8)}`;
    const kafka = testKafka(broker.brokers);
    const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    try {
      const signUp = consentEvent({
        id: `${subject}-signup`,
        subject,
        time: '2026-12-01T10:00:00Z',
        kind: 'marketing-consent',
        form: 'newsletter-v3',
        action: 'checkbox_ticked',
        purposes: ['email.newsletter'],
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
    } finally {
      await producer.disconnect();
    }

    const token = unsubscribeToken(subject);
    // The link's page changes nothing (mail scanners open links); the one-click POST does.
    const page = await fetch(`${gateway.url}/v1/unsubscribe/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const answer = await oneClick(token);
    expect(answer.status).toBe(200);

    const [withdrawal] = (
      await consumeUntil(kafka, [engine.topics.evidence], {
        until: (r) => r.some((x) => x.key === subject && x.value?.includes('list-unsubscribe')),
      })
    ).filter((x) => x.value?.includes('list-unsubscribe'));
    expect(JSON.parse(withdrawal.value ?? '').data).toMatchObject({
      kind: 'withdrawal',
      subject: { key: subject },
      sourceChannel: 'email-link',
      withdrawal: { marketing: { channels: ['email'] } },
    });
    const emailService = engine.topics.destinations.get('email-service') ?? '';
    const records = await consumeUntil(kafka, [emailService], {
      until: (r) => r.some((x) => x.key === subject && x.headers['record-kind'] === 'suppression'),
      timeoutMs: 60000,
    });
    const suppression = records.find((x) => x.key === subject && x.headers['record-kind'] === 'suppression');
    expect(JSON.parse(suppression?.value ?? '')).toMatchObject({ kind: 'suppression' });
  });

  it('refuses pixel tokens, bad tokens and bodies that are not the one-click form', async () => {
    const subject = `cust-${randomUUID().slice(0, 8)}`;
    const pixelToken = mintEngagementToken(engagementKeys(secrets.engagementSecret), {
      campaignId: 'c',
      subjectKey: subject,
    });
    expect((await oneClick(pixelToken)).status).toBe(400);
    expect((await fetch(`${gateway?.url}/v1/unsubscribe/${pixelToken}`)).status).toBe(400);
    expect((await oneClick('garbage')).status).toBe(400);
    const notOneClick = await oneClick(unsubscribeToken(subject), 'List-Unsubscribe=Maybe');
    expect(notOneClick.status).toBe(400);
    expect(((await notOneClick.json()) as { code: string }).code).toBe('not-one-click');
    const multipart =
      '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n';
    expect(
      (await oneClick(unsubscribeToken(subject), multipart, 'multipart/form-data; boundary=b')).status,
    ).toBe(200);
    const json = await oneClick(unsubscribeToken(subject), '{}', 'text/plain');
    expect(json.status).toBe(415);
  });
});
