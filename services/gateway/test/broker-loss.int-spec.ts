import 'reflect-metadata';
import { engagementKeys, mintEngagementToken } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import {
  newSecrets,
  postJson,
  startGateway,
  type GatewayUnderTest,
  type TestSecrets,
} from './gateway-under-test';

/**
 * A broker the test can take away: every connection of the gateway's Kafka client goes through
 * this TCP proxy to the real broker (whatever host the metadata names), and `down()` closes the
 * proxy and every connection through it, which to the gateway is the broker gone.
 */
class BrokerProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// 202 is never returned for an event the broker did not take: with the broker gone mid-test the
// gateway answers 503, and the refused event is produced when it is sent again after the broker is back.
describe('gateway when the broker goes away', () => {
  let broker: KafkaUnderTest;
  let secrets: TestSecrets;
  let proxy: BrokerProxy;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    broker = await provideKafka();
    secrets = newSecrets();
    const [host, port] = broker.brokers[0].split(':');
    proxy = new BrokerProxy({ host, port: Number(port) });
    await proxy.up();
    const viaProxy = new Kafka({
      clientId: 'gateway-behind-proxy',
      brokers: [`127.0.0.1:${proxy.port}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
      socketFactory: ({ onConnect }) => connect({ host: '127.0.0.1', port: proxy.port }, onConnect),
    });
    gateway = await startGateway(
      broker,
      secrets,
      { GATEWAY_PRODUCE_TIMEOUT_MS: '3000' },
      { kafka: viaProxy },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.down();
    await broker?.stop();
  });

  const event = () => ({
    specversion: '1.0',
    id: `evt-${randomUUID()}`,
    source: 'crm',
    type: 'customer.updated',
    time: '2026-12-05T10:00:00.000Z',
    subject: `cust-${randomUUID().slice(0, 8)}`,
    data: { email: 'c@example.dk' },
  });
  const post = (body: unknown) =>
    postJson(`${gateway.url}/v1/events/crm`, body, { 'x-api-key': secrets.crmKey });

  it('answers 503, never 202, while the broker is away, and takes the retry afterwards', async () => {
    const before = event();
    expect((await post(before)).status).toBe(202);

    await proxy.down();
    const during = event();
    const refused = await post(during);
    expect(refused).toMatchObject({ status: 503, body: { code: 'broker-unavailable' } });
    expect(refused.headers.get('retry-after')).toBe('1');
    const batch = await post([event(), event()]);
    expect(batch.status).toBe(503);
    // The forms likewise: no 202 for an objection, and no 200 for a confirmation, the broker did not take.
    const objection = await postJson(
      `${gateway.url}/v1/forms/crm/objection`,
      { subjectKey: 'cust-away', channel: 'phone' },
      { 'x-api-key': secrets.crmKey },
    );
    expect(objection).toMatchObject({ status: 503, body: { code: 'broker-unavailable' } });
    const confirmation = mintEngagementToken(engagementKeys(secrets.engagementSecret, 'confirmation'), {
      campaignId: 'double-opt-in',
      subjectKey: 'cust-away',
      confirms: 'ev-away',
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    expect((await postJson(`${gateway.url}/v1/confirm/${confirmation}`, {})).status).toBe(503);

    await proxy.up();
    // The refused id was not remembered as accepted: sending it again produces it.
    let retried = await post(during);
    for (let i = 0; i < 20 && retried.status === 503; i++) retried = await post(during);
    expect(retried).toMatchObject({ status: 202, body: { accepted: 1 } });
    const records = await gateway.read('source.crm', (r) => r.some((x) => x.value?.includes(during.id)));
    expect(records.filter((x) => x.value?.includes(before.id))).toHaveLength(1);
    expect(records.some((x) => x.value?.includes(during.id))).toBe(true);
  });
});
