import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { engagementKeys, mintEngagementToken, type EngagementKeys } from '@app/contracts';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, type ProcessResult } from '@app/policy';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { consentEvent, examplePolicy } from '../../../libs/policy/test/rule-fixture.harness';
import { PIXEL_GIF } from '../src/ingest/engagement';
import { newSecrets, startGateway, type GatewayUnderTest, type TestSecrets } from './gateway-under-test';

const NOW = Date.parse('2026-12-05T04:00:00.000Z');

// The consent-gated pixel and tracked links: the gateway records opens and clicks of valid tokens;
// the decision core, run on exactly what the gateway produced, forwards them only with the
// engagement-tracking consent (R23).
describe('gateway GET /v1/pixel/:token.gif and /v1/click/:token', () => {
  let broker: KafkaUnderTest;
  let secrets: TestSecrets;
  let gateway: GatewayUnderTest;
  let keys: EngagementKeys;

  beforeAll(async () => {
    broker = await provideKafka();
    secrets = newSecrets();
    keys = engagementKeys(secrets.engagementSecret);
    gateway = await startGateway(broker, secrets, {}, { nowMs: () => NOW });
  });
  afterAll(async () => {
    await gateway?.close();
    await broker?.stop();
  });

  const pixel = (token: string) =>
    fetch(`${gateway.url}/v1/pixel/${token}.gif`, { headers: { 'user-agent': 'MailClient/1.0' } });

  async function expectGif(response: Response): Promise<void> {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PIXEL_GIF);
  }

  it('answers the same GIF for any token; only a valid one records an open, with nothing readable in the token', async () => {
    const recipient = `cust-${randomUUID().slice(0, 8)}`;
    const token = mintEngagementToken(keys, { campaignId: 'spring-2026', subjectKey: recipient });
    expect(token).not.toContain(recipient);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain(recipient);
    await expectGif(await pixel(token));
    const forged = mintEngagementToken(engagementKeys(Buffer.alloc(32, 9)), {
      campaignId: 'spring-2026',
      subjectKey: 'cust-x',
    });
    await expectGif(await pixel(forged));
    await expectGif(await pixel('garbage'));
    await expectGif(await pixel(`${token.slice(0, -2)}AA`));

    const marker = `cust-${randomUUID().slice(0, 8)}`;
    await expectGif(await pixel(mintEngagementToken(keys, { campaignId: 'marker', subjectKey: marker })));
    const records = await gateway.read('source.email', (r) => r.some((x) => x.key === marker));
    expect(records).toHaveLength(2);
    const open = JSON.parse(records[0].value ?? '') as Record<string, unknown>;
    expect(records[0].key).toBe(recipient);
    expect(open).toMatchObject({
      source: 'email',
      type: 'email.opened',
      subject: recipient,
      time: new Date(NOW).toISOString(),
      data: { campaignId: 'spring-2026', userAgent: 'MailClient/1.0' },
    });
  });

  it('forwards an open only for the recipient with engagement-tracking consent (R23)', async () => {
    const tracked = `cust-${randomUUID().slice(0, 8)}`;
    const untracked = `cust-${randomUUID().slice(0, 8)}`;
    for (const subject of [tracked, untracked])
      await expectGif(await pixel(mintEngagementToken(keys, { campaignId: 'autumn', subjectKey: subject })));
    const records = await gateway.read('source.email', (r) =>
      [tracked, untracked].every((s) => r.some((x) => x.key === s)),
    );

    const processor = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const consent = (subject: string, purposes: string[]) => {
      const signUp = `${subject}-signup`;
      processor.process(
        consentEvent({
          id: signUp,
          subject,
          time: '2026-12-01T10:00:00Z',
          kind: 'marketing-consent',
          form: 'newsletter-v3',
          action: 'checkbox_ticked',
          purposes,
        }),
        { topic: 'consent.evidence' },
      );
      processor.process(
        consentEvent({
          id: `${subject}-confirm`,
          subject,
          time: '2026-12-01T10:05:00Z',
          kind: 'double-opt-in-confirmation',
          extra: { confirms: `ev-${signUp}` },
        }),
        { topic: 'consent.evidence' },
      );
    };
    consent(tracked, ['email.newsletter', 'email.engagement_tracking']);
    consent(untracked, ['email.newsletter']);
    const results = new Map<string, ProcessResult>();
    for (const record of records.filter((r) => r.key === tracked || r.key === untracked))
      results.set(record.key ?? '', processor.process(record.value ?? '', { topic: 'source.email' }));

    const data = (subject: string) =>
      (results.get(subject)?.records ?? []).filter((r) => r.value.kind === 'data');
    expect(results.get(tracked)?.outcome).toBe('source');
    expect(data(tracked).map((r) => r.destination)).toContain('email-service');
    expect(JSON.stringify(data(tracked))).toContain('autumn');
    // Without tracking consent nothing of the open reaches any destination.
    expect(results.get(untracked)?.outcome).toBe('source');
    expect(data(untracked)).toEqual([]);
  });

  it('redirects a click only to an allow-listed https target and records it', async () => {
    const recipient = `cust-${randomUUID().slice(0, 8)}`;
    const link = 'https://www.nordlys-loeb.dk/sko/trail?utm=mail';
    const click = await fetch(
      `${gateway.url}/v1/click/${mintEngagementToken(keys, { campaignId: 'spring-2026', subjectKey: recipient, link })}`,
      {
        redirect: 'manual',
      },
    );
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(link);
    const records = await gateway.read('source.email', (r) => r.some((x) => x.key === recipient));
    const event = JSON.parse(records.find((x) => x.key === recipient)?.value ?? '') as Record<
      string,
      unknown
    >;
    expect(event).toMatchObject({
      type: 'email.clicked',
      data: { campaignId: 'spring-2026', linkUrl: link },
    });

    for (const target of [
      'https://evil.example.com/',
      'http://www.nordlys-loeb.dk/',
      'https://www.nordlys-loeb.dk.evil.com/',
    ]) {
      const refused = await fetch(
        `${gateway.url}/v1/click/${mintEngagementToken(keys, { campaignId: 'c', subjectKey: recipient, link: target })}`,
        { redirect: 'manual' },
      );
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { code: string }).code).toBe('target-not-allowed');
    }
    const forged = await fetch(`${gateway.url}/v1/click/not-a-token`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { code: string }).code).toBe('bad-token');
  });
});
