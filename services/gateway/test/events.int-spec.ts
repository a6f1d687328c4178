import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { requestSignature } from '../src/auth/source-auth';
import {
  newSecrets,
  postJson,
  startGateway,
  type GatewayUnderTest,
  type TestSecrets,
} from './gateway-under-test';

// POST /v1/events/:source against the real broker: what is accepted is read back from the topic;
// what is refused says what to fix without echoing a value.
describe('gateway POST /v1/events/:source', () => {
  let broker: KafkaUnderTest;
  let secrets: TestSecrets;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    broker = await provideKafka();
    secrets = newSecrets();
    gateway = await startGateway(broker, secrets);
  });
  afterAll(async () => {
    await gateway?.close();
    await broker?.stop();
  });

  const crmEvent = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    specversion: '1.0',
    id: `evt-${randomUUID()}`,
    source: 'crm',
    type: 'customer.updated',
    time: '2026-12-05T10:00:00.000Z',
    subject: `cust-${randomUUID().slice(0, 8)}`,
    data: { email: 'anna@example.dk', firstName: 'Anna', city: 'Aarhus' },
    ...overrides,
  });
  const postCrm = (body: unknown, key: string = secrets.crmKey) =>
    postJson(`${gateway.url}/v1/events/crm`, body, { 'x-api-key': key });
  const signed = (body: string, timestamp: string, secret = secrets.checkoutSecret) => ({
    'x-gateway-timestamp': timestamp,
    'x-gateway-signature': requestSignature(secret, timestamp, body),
  });
  const order = (): Record<string, unknown> => ({
    specversion: '1.0',
    id: `ord-${randomUUID()}`,
    source: 'checkout',
    type: 'order.completed',
    time: '2026-12-05T10:00:00.000Z',
    subject: `cust-${randomUUID().slice(0, 8)}`,
    data: {
      orderId: 'o-1',
      email: 'bo@example.dk',
      items: [{ sku: 's1', productGroup: 'running_shoes' }],
      totalDkk: 899,
    },
  });
  const nowS = () => String(Math.floor(Date.now() / 1000));

  it('produces one event, keyed by its subject, and answers 202 after the broker took it', async () => {
    const event = crmEvent();
    const answer = await postCrm(event);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ accepted: 1, duplicates: 0 });
    const records = await gateway.read('source.crm', (r) =>
      r.some((x) => x.value?.includes(String(event.id))),
    );
    const record = records.find((x) => x.value?.includes(String(event.id)));
    expect(record?.key).toBe(event.subject);
    expect(JSON.parse(record?.value ?? '')).toEqual(event);
  });

  it('produces a batch, and refuses a whole batch naming the invalid event and path', async () => {
    const batch = [crmEvent(), crmEvent()];
    const answer = await postCrm(batch);
    expect(answer).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 0 } });
    const records = await gateway.read('source.crm', (r) =>
      batch.every((e) => r.some((x) => x.value?.includes(String(e.id)))),
    );
    expect(records.filter((x) => batch.some((e) => x.value?.includes(String(e.id))))).toHaveLength(2);

    const secret = 'secret-birth-year-value';
    const bad = [crmEvent(), crmEvent({ data: { email: 'x@example.dk', birthYear: secret } })];
    const refused = await postCrm(bad);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('schema-violation');
    expect(String(refused.body.message)).toMatch(/^events\[1\]: .*birthYear/);
    expect(JSON.stringify(refused.body)).not.toContain(secret);
  });

  it('is idempotent on the event id: a repeat answers 200 and is not produced twice', async () => {
    const event = crmEvent();
    expect((await postCrm(event)).status).toBe(202);
    const again = await postCrm(event);
    expect(again).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
    const marker = crmEvent();
    expect((await postCrm(marker)).status).toBe(202);
    const records = await gateway.read('source.crm', (r) =>
      r.some((x) => x.value?.includes(String(marker.id))),
    );
    expect(records.filter((x) => x.value?.includes(String(event.id)))).toHaveLength(1);
    // The same id with other content is a reused id, not a repeat.
    const reused = await postCrm({ ...event, data: { email: 'other@example.dk' } });
    expect(reused).toMatchObject({ status: 409, body: { code: 'id-reused' } });
  });

  it('refuses what the engine would dead-letter, with a code and what to fix', async () => {
    const cases: [unknown, number, string][] = [
      [crmEvent({ source: 'checkout', type: 'checkout.abandoned' }), 400, 'source-topic-mismatch'],
      [crmEvent({ type: 'customer.deleted' }), 400, 'unknown-type'],
      [crmEvent({ subject: undefined }), 400, 'missing-subject'],
      [crmEvent({ specversion: '0.3' }), 400, 'invalid-envelope'],
      [crmEvent({ time: 'yesterday' }), 400, 'invalid-envelope'],
      [crmEvent({ type: 'consent.evidence' }), 400, 'unexpected-evidence-source'],
      [crmEvent({ data: { email: 'a@b.dk', firstName: 'x'.repeat(70000) } }), 413, 'oversized'],
      [[], 400, 'empty-batch'],
      ['{"specversion": ', 400, 'not-json'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await postCrm(body);
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
      expect(typeof answer.body.message).toBe('string');
    }
    const unknown = await postJson(`${gateway.url}/v1/events/erp`, crmEvent({ source: 'erp' }), {
      'x-api-key': 'k',
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'unknown-source' } });
    const huge = await postCrm(
      `[${Array.from({ length: 2 }, () => JSON.stringify(crmEvent({ data: { email: 'a@b.dk', firstName: 'y'.repeat(600000) } }))).join(',')}]`,
    );
    expect(huge).toMatchObject({ status: 413, body: { code: 'body-too-large' } });
  });

  it('takes CloudEvents media types, and refuses hostile bodies without echoing them', async () => {
    const event = order();
    const body = JSON.stringify([event]);
    const ts = nowS();
    const batch = await postJson(`${gateway.url}/v1/events/checkout`, body, {
      ...signed(body, ts),
      'content-type': 'application/cloudevents-batch+json',
    });
    expect(batch).toMatchObject({ status: 202, body: { accepted: 1 } });
    const marker = '<script>alert(1)</script>';
    const hostile: [string, string, number, string][] = [
      ['application/json', `{"__proto__":{"admin":true},"id":"${marker}"}`, 400, 'not-json'],
      ['application/json', `{"constructor":{"prototype":{"x":1}}}`, 400, 'not-json'],
      ['application/json', `${'['.repeat(40)}${']'.repeat(40)}`, 400, 'invalid-envelope'],
      ['text/plain', marker, 415, 'unsupported-media-type'],
      ['application/xml', `<e>${marker}</e>`, 415, 'unsupported-media-type'],
    ];
    for (const [type, raw, status, code] of hostile) {
      const answer = await postJson(`${gateway.url}/v1/events/crm`, raw, {
        'x-api-key': secrets.crmKey,
        'content-type': type,
      });
      expect({ type, status: answer.status, code: answer.body.code }).toEqual({ type, status, code });
      expect(JSON.stringify(answer.body)).not.toContain('script');
    }
  });

  it('authenticates key sources: no key and a wrong key are 401', async () => {
    const none = await postJson(`${gateway.url}/v1/events/crm`, crmEvent());
    expect(none).toMatchObject({ status: 401, body: { code: 'missing-credentials' } });
    const wrong = await postCrm(crmEvent(), 'not-the-key');
    expect(wrong).toMatchObject({ status: 401, body: { code: 'wrong-key' } });
    // A source with no credentials configured is refused, whatever it sends.
    const web = await postJson(`${gateway.url}/v1/events/web`, {}, { 'x-api-key': secrets.crmKey });
    expect(web).toMatchObject({ status: 401, body: { code: 'source-not-configured' } });
  });

  it('authenticates signing sources: good, bad, replayed and expired signatures', async () => {
    const event = order();
    const body = JSON.stringify(event);
    const ts = nowS();
    const good = await postJson(`${gateway.url}/v1/events/checkout`, body, signed(body, ts));
    expect(good.status).toBe(202);
    const records = await gateway.read('source.checkout', (r) =>
      r.some((x) => x.value?.includes(String(event.id))),
    );
    expect(records.some((x) => x.key === event.subject)).toBe(true);

    const replay = await postJson(`${gateway.url}/v1/events/checkout`, body, signed(body, ts));
    expect(replay).toMatchObject({ status: 401, body: { code: 'replayed' } });

    const other = JSON.stringify(order());
    const tampered = await postJson(`${gateway.url}/v1/events/checkout`, other, signed(body, nowS()));
    expect(tampered).toMatchObject({ status: 401, body: { code: 'bad-signature' } });
    const wrongSecret = await postJson(
      `${gateway.url}/v1/events/checkout`,
      other,
      signed(other, nowS(), Buffer.alloc(32, 7)),
    );
    expect(wrongSecret).toMatchObject({ status: 401, body: { code: 'bad-signature' } });
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const expired = await postJson(`${gateway.url}/v1/events/checkout`, other, signed(other, old));
    expect(expired).toMatchObject({ status: 401, body: { code: 'expired-timestamp' } });
    const missing = await postJson(`${gateway.url}/v1/events/checkout`, other, {
      'x-gateway-timestamp': nowS(),
    });
    expect(missing).toMatchObject({ status: 401, body: { code: 'missing-credentials' } });
  });

  it('limits each source to its rate and says when to retry', async () => {
    // A stopped clock: the bucket never refills during the test, however slow the machine.
    const stopped = Date.now();
    const limited = await startGateway(
      broker,
      secrets,
      { GATEWAY_RATE_PER_S: '1', GATEWAY_RATE_BURST: '2' },
      { nowMs: () => stopped },
    );
    try {
      const statuses: number[] = [];
      const post = () =>
        postJson(`${limited.url}/v1/events/crm`, crmEvent(), { 'x-api-key': secrets.crmKey });
      for (let i = 0; i < 3; i++) statuses.push((await post()).status);
      expect(statuses).toEqual([202, 202, 429]);
      const refused = await post();
      expect(refused).toMatchObject({ status: 429, body: { code: 'rate-limited' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('serves /metrics by route pattern and /docs', async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /gateway_requests_total\{route="\/v1\/events\/:source",method="POST",status_code="202"\}/,
    );
    expect(metrics).toMatch(
      /gateway_produce_duration_seconds_bucket\{le="[^"]+",endpoint="events",outcome="acknowledged"\}/,
    );
    expect(metrics).not.toContain('/v1/events/crm');
    const openapi = (await (await fetch(`${gateway.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/events/{source}',
        '/v1/consents/{adapter}',
        '/v1/pixel/{file}',
        '/v1/click/{token}',
        '/v1/unsubscribe/{token}',
        '/v1/forms/{source}/{form}',
        '/v1/confirm/{token}',
      ]),
    );
    expect((await fetch(`${gateway.url}/docs`)).status).toBe(200);
  });
});
