import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { mintSiteSubjectToken } from '@app/contracts';
import { checkEvidence } from '@app/policy';
import { provideKafka, type ConsumedRecord, type KafkaUnderTest } from '@app/testing';
import {
  newSecrets,
  postJson,
  startGateway,
  type GatewayUnderTest,
  type TestSecrets,
} from './gateway-under-test';

const FIXTURES = join(__dirname, '../../../libs/consent-adapters/fixtures');
const fixture = <T>(name: string): Record<string, T> =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, T>;
/** The server clock of this test: the day after the fixtures were made. */
const NOW = Date.parse('2026-12-05T04:00:00.000Z');
const BANNER = { formVersion: 'banner-v1', textVersion: 'sha256:5b0f2c1e9a7d3b4c', language: 'da' };

// POST /v1/consents/:adapter: each consent platform's signal becomes evidence on the evidence topic,
// checked by the core's own contract, timed by the server, about the device only.
describe('gateway POST /v1/consents/:adapter', () => {
  let broker: KafkaUnderTest;
  let secrets: TestSecrets;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    broker = await provideKafka();
    secrets = newSecrets();
    gateway = await startGateway(
      broker,
      secrets,
      { GATEWAY_CORS_ORIGINS: 'https://www.nordlys-loeb.dk' },
      { nowMs: () => NOW },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await broker?.stop();
  });

  const device = () => `ck-${randomUUID()}`;
  const post = (adapter: string, body: unknown, headers: Record<string, string> = {}) =>
    postJson(`${gateway.url}/v1/consents/${adapter}`, body, headers);
  async function evidenceFor(deviceId: string, count: number): Promise<Record<string, unknown>[]> {
    const records = await gateway.read(
      'consent.evidence',
      (r) => r.filter((x) => x.key === deviceId).length >= count,
    );
    return records
      .filter((x: ConsumedRecord) => x.key === deviceId)
      .map((x) => JSON.parse(x.value ?? '') as Record<string, unknown>);
  }

  it('records each platform signal as contract evidence at the server receive time', async () => {
    const cases: [string, unknown, boolean][] = [
      ['own-banner', fixture('own-banner.json').acceptAllV1, false],
      ['tcf', fixture('tc-strings.json').statisticsOnly, true],
      ['consent-mode', fixture('consent-mode.json').updateStatistics, true],
      ['cookiebot', fixture('cookiebot.json').explicitStatistics, true],
      ['onetrust', fixture('onetrust.json').optInStatistics, true],
    ];
    for (const [adapter, signal, platform] of cases) {
      const deviceId = device();
      const answer = await post(adapter, {
        deviceId,
        signal,
        ...(platform ? { banner: BANNER } : {}),
        url: 'https://www.nordlys-loeb.dk/sko?email=anna@example.dk#top',
      });
      expect({ adapter, status: answer.status }).toEqual({ adapter, status: 202 });
      const [event] = await evidenceFor(deviceId, 1);
      expect(event).toMatchObject({
        specversion: '1.0',
        type: 'consent.evidence',
        source: 'consent-service',
        subject: deviceId,
        time: new Date(NOW).toISOString(),
      });
      const evidence = event.data as Record<string, unknown>;
      expect(checkEvidence(evidence).ok).toBe(true);
      expect(evidence).toMatchObject({
        kind: 'cookie-banner',
        subject: { key: deviceId },
        timestamp: new Date(NOW).toISOString(),
      });
      expect(evidence.purposes).toContain('cookie.statistics');
      expect(answer.body.evidenceIds).toEqual([evidence.evidenceId]);
      // The signal as received travels beside the evidence, for the ledger.
      expect(event.cmpsignal).toBe(typeof signal === 'string' ? signal : JSON.stringify(signal));
      // The page is kept without query or fragment: they may carry personal data.
      expect(evidence.url).toBe('https://www.nordlys-loeb.dk/sko');
    }
  });

  it('records signals that are no consent, for the core to refuse (implied, never closed)', async () => {
    const deviceId = device();
    expect(
      (await post('cookiebot', { deviceId, signal: fixture('cookiebot.json').implied, banner: BANNER }))
        .status,
    ).toBe(202);
    const [event] = await evidenceFor(deviceId, 1);
    expect((event.data as { cmpSignal?: unknown }).cmpSignal).toMatchObject({ method: 'implied' });
    const other = device();
    expect(
      (
        await post('onetrust', {
          deviceId: other,
          signal: fixture('onetrust.json').neverClosed,
          banner: BANNER,
        })
      ).status,
    ).toBe(202);
    const [closed] = await evidenceFor(other, 1);
    expect((closed.data as { action?: string }).action).toBe('cmp_default');
  });

  it("reports platform choices the banner's first layer did not show, and grants them not (R2)", async () => {
    const deviceId = device();
    const answer = await post('cookiebot', {
      deviceId,
      signal: fixture('cookiebot.json').explicitAll,
      banner: BANNER,
    });
    expect(answer.status).toBe(202);
    expect([...(answer.body.leftOut as string[])].sort()).toEqual(['marketing', 'preferences']);
    const [event] = await evidenceFor(deviceId, 1);
    expect((event.data as { purposes: string[] }).purposes).not.toContain('cookie.marketing');
  });

  it('adds a GPC withdrawal after the choice when the browser sends Sec-GPC: 1, and takes GPC alone', async () => {
    const deviceId = device();
    const answer = await post(
      'own-banner',
      { deviceId, signal: fixture('own-banner.json').acceptAllV1 },
      { 'sec-gpc': '1' },
    );
    expect(answer.status).toBe(202);
    expect(answer.body.evidenceIds).toHaveLength(2);
    const [choice, gpc] = await evidenceFor(deviceId, 2);
    expect((choice.data as { kind: string }).kind).toBe('cookie-banner');
    expect(gpc.data).toMatchObject({
      kind: 'withdrawal',
      cmp: 'gpc',
      withdrawal: { purposes: ['cookie.marketing', 'seg.web_behaviour'] },
    });
    const alone = device();
    expect((await post('gpc', { deviceId: alone }, { 'sec-gpc': '1' })).status).toBe(202);
    expect(await post('gpc', { deviceId: device() })).toMatchObject({
      status: 422,
      body: { code: 'nothing-to-record' },
    });
  });

  it('refuses what a browser may not assert, and platform refusals, with a code and path', async () => {
    const signal = fixture<Record<string, unknown>>('own-banner.json').acceptAllV1;
    const email = 'anna@example.dk';
    const cases: [string, unknown, number, string][] = [
      ['own-banner', { deviceId: device(), customerId: 'cust-1', signal }, 400, 'malformed'],
      ['own-banner', { deviceId: email, signal }, 400, 'malformed'],
      ['own-banner', { signal }, 400, 'malformed'],
      ['tcf', { deviceId: device(), signal: fixture('tc-strings.json').statisticsOnly }, 400, 'malformed'],
      [
        'tcf',
        { deviceId: device(), signal: fixture('tc-strings.json').unregisteredCmp, banner: BANNER },
        422,
        'unregistered-cmp',
      ],
      [
        'tcf',
        { deviceId: device(), signal: fixture('tc-strings.json').oldPolicyVersion, banner: BANNER },
        422,
        'outdated-policy-version',
      ],
      ['tcf', { deviceId: device(), signal: 'CQutBkAQutBk', banner: BANNER }, 422, 'undecodable'],
      [
        'own-banner',
        { deviceId: device(), signal: { ...signal, bannerVersion: 'banner-x' } },
        422,
        'unknown-form',
      ],
      ['fax', { deviceId: device(), signal }, 404, 'unknown-adapter'],
    ];
    for (const [adapter, body, status, code] of cases) {
      const answer = await post(adapter, body);
      expect({ adapter, status: answer.status, code: answer.body.code }).toEqual({ adapter, status, code });
      expect(JSON.stringify(answer.body)).not.toContain(email);
    }
  });

  it('names a signed-in person only through the site-signed token', async () => {
    const deviceId = device();
    const subjectToken = mintSiteSubjectToken(secrets.siteSecret, {
      subjectKey: 'cust-42',
      expiresAt: NOW / 1000 + 600,
    });
    const signal = fixture('own-banner.json').acceptAllV1;
    expect((await post('own-banner', { deviceId, signal, subjectToken })).status).toBe(202);
    const [event] = await evidenceFor(deviceId, 1);
    expect(event.data).toMatchObject({ subject: { key: deviceId, identifiers: { person: 'cust-42' } } });

    const expired = mintSiteSubjectToken(secrets.siteSecret, {
      subjectKey: 'cust-42',
      expiresAt: NOW / 1000 - 1,
    });
    expect(await post('own-banner', { deviceId: device(), signal, subjectToken: expired })).toMatchObject({
      status: 401,
      body: { code: 'site-token-expired' },
    });
    const forged = mintSiteSubjectToken(Buffer.alloc(32, 1), {
      subjectKey: 'cust-42',
      expiresAt: NOW / 1000 + 600,
    });
    expect(await post('own-banner', { deviceId: device(), signal, subjectToken: forged })).toMatchObject({
      status: 401,
      body: { code: 'site-token-bad-signature' },
    });
  });

  it('answers CORS preflights for the configured site origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/v1/consents/own-banner`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('https://www.nordlys-loeb.dk');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.nordlys-loeb.dk');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await preflight('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
