import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { checkEvidence } from '@app/policy';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import {
  newSecrets,
  postJson,
  startGateway,
  type GatewayUnderTest,
  type TestSecrets,
} from './gateway-under-test';

/** The server clock of this test; the confirmation test moves it past the link's expiry. */
const START = Date.parse('2026-12-05T04:00:00.000Z');
const DAY_MS = 24 * 3600 * 1000;
const NEWSLETTER = {
  formVersion: 'newsletter-v3',
  textVersion: 'sha256:9c1d4e5f',
  language: 'da',
  action: 'checkbox_ticked',
  purposes: ['email.newsletter', 'seg.purchase_history'],
};

interface Outcome {
  evidenceIds: string[];
  refused: { evidenceId: string; rule: string; reason: string }[];
  confirmations: { evidenceId: string; token: string; expiresAt: string }[];
}

// POST /v1/forms/:source/:form and /v1/confirm/:token: the site's forms become contract evidence on
// the evidence topic, timed by the server, checked by the core before they are produced.
describe('gateway forms and the confirmation link', () => {
  let broker: KafkaUnderTest;
  let secrets: TestSecrets;
  let gateway: GatewayUnderTest;
  let now = START;
  // Each test starts where the last one left the clock: the gateway's rate limits need a clock that never goes back.

  beforeAll(async () => {
    broker = await provideKafka();
    secrets = newSecrets();
    gateway = await startGateway(broker, secrets, {}, { nowMs: () => now });
  });
  afterAll(async () => {
    await gateway?.close();
    await broker?.stop();
  });

  const customer = () => `cust-${randomUUID().slice(0, 8)}`;
  const post = (form: string, body: unknown, key = secrets.crmKey) =>
    postJson(`${gateway.url}/v1/forms/crm/${form}`, body, { 'x-api-key': key });
  async function evidenceOf(subject: string, count: number): Promise<Record<string, unknown>[]> {
    const records = await gateway.read(
      'consent.evidence',
      (r) => r.filter((x) => x.key === subject).length >= count,
    );
    return records
      .filter((x) => x.key === subject)
      .map((x) => JSON.parse(x.value ?? '') as { data: Record<string, unknown> })
      .map((event) => {
        expect(checkEvidence(event.data).ok).toBe(true);
        return event.data;
      });
  }

  it('records a double opt-in sign-up as pending and its confirmation link as the confirmation', async () => {
    const subject = customer();
    const answer = await post('signup', {
      subjectKey: subject,
      ...NEWSLETTER,
      url: 'https://www.nordlys-loeb.dk/nyhedsbrev?email=anna@example.dk',
    });
    expect(answer.status).toBe(202);
    const outcome = answer.body as unknown as Outcome;
    expect(outcome.refused).toEqual([]);
    expect(outcome.confirmations).toHaveLength(1);
    const [link] = outcome.confirmations;
    expect(link.evidenceId).toBe(outcome.evidenceIds[0]);
    // The link expires with the policy's confirmation window (30 days).
    expect(link.expiresAt).toBe(new Date(START + 30 * DAY_MS).toISOString());
    // The token is opaque: the customer id is not readable from it.
    expect(Buffer.from(link.token, 'base64url').toString('latin1')).not.toContain(subject);

    const page = await fetch(`${gateway.url}/v1/confirm/${link.token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    now = START + 3600 * 1000;
    // The page's button posts its form.
    const confirmed = await fetch(`${gateway.url}/v1/confirm/${link.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'confirm=yes',
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('confirmed');

    const [signUp, confirmation] = await evidenceOf(subject, 2);
    expect(signUp).toMatchObject({
      evidenceId: link.evidenceId,
      kind: 'marketing-consent',
      subject: { key: subject },
      timestamp: new Date(START).toISOString(),
      cmp: 'form:crm',
      formVersion: 'newsletter-v3',
      action: 'checkbox_ticked',
      purposes: NEWSLETTER.purposes,
      sourceChannel: 'web',
      url: 'https://www.nordlys-loeb.dk/nyhedsbrev',
    });
    expect(confirmation).toMatchObject({
      kind: 'double-opt-in-confirmation',
      subject: { key: subject },
      confirms: link.evidenceId,
      timestamp: new Date(START + 3600 * 1000).toISOString(),
      sourceChannel: 'email-link',
    });
  });

  it('refuses expired, foreign and garbled confirmation links', async () => {
    const answer = await post('signup', { subjectKey: customer(), ...NEWSLETTER });
    const [link] = (answer.body as unknown as Outcome).confirmations;
    expect((await postJson(`${gateway.url}/v1/confirm/${link.token.slice(0, -2)}xx`, {})).status).toBe(400);
    expect((await postJson(`${gateway.url}/v1/confirm/garbage`, {})).status).toBe(400);
    // The clock last: it never goes back within the gateway's rate limits.
    now = START + 31 * DAY_MS;
    expect((await fetch(`${gateway.url}/v1/confirm/${link.token}`)).status).toBe(400);
    const late = await postJson(`${gateway.url}/v1/confirm/${link.token}`, {});
    expect(late.status).toBe(400);
    expect(late.body.code).toBe('bad-token');
  });

  it('records refused sign-ups with their rule and mints no link: pre-ticked box, competition form with partners behind a link', async () => {
    const preTicked = customer();
    const ticked = await post('signup', { subjectKey: preTicked, ...NEWSLETTER, action: 'preticked' });
    expect(ticked.status).toBe(202);
    expect((ticked.body as unknown as Outcome).refused).toMatchObject([{ rule: 'R1' }]);
    expect((ticked.body as unknown as Outcome).confirmations).toEqual([]);

    const entrant = customer();
    const competition = await post('signup', {
      subjectKey: entrant,
      formVersion: 'competition-2024',
      textVersion: 'sha256:77aa',
      language: 'da',
      action: 'entry_submitted',
      purposes: ['email.newsletter'],
    });
    expect(competition.status).toBe(202);
    const refused = (competition.body as unknown as Outcome).refused;
    expect(refused).toMatchObject([{ rule: 'R17' }]);
    expect(refused[0].reason).toContain('competition form');
    const [evidence] = await evidenceOf(entrant, 1);
    expect(evidence).toMatchObject({ kind: 'marketing-consent', formVersion: 'competition-2024' });

    // A compliant competition form (its own consent step) is no double opt-in: no link, valid.
    const fair = await post('signup', {
      subjectKey: customer(),
      formVersion: 'competition-2025',
      textVersion: 'sha256:88bb',
      language: 'da',
      action: 'checkbox_ticked',
      purposes: ['email.newsletter'],
    });
    expect(fair.body).toMatchObject({ refused: [], confirmations: [] });
  });

  it('records the checkout notice exactly as shown (R15): box unticked, ticked, not shown, abandoned', async () => {
    const checkout = (subjectKey: string, optOutBox: string, saleCompleted = true) =>
      post('checkout', {
        subjectKey,
        formVersion: 'checkout-optout-v1',
        textVersion: 'sha256:4411',
        language: 'da',
        orderId: 'order-1',
        saleCompleted,
        productGroups: ['running_shoes'],
        optOutBox,
      });
    const kept = customer();
    const answer = await checkout(kept, 'unticked');
    expect(answer.status).toBe(202);
    expect(answer.body.refused).toEqual([]);
    const [notice] = await evidenceOf(kept, 1);
    expect(notice).toMatchObject({
      kind: 'soft-opt-in-notice',
      formVersion: 'checkout-optout-v1',
      sourceChannel: 'checkout',
      optOutOffered: true,
      optOutUsed: false,
      sale: { completed: true, orderId: 'order-1', productGroups: ['running_shoes'] },
    });
    const optedOut = customer();
    expect((await checkout(optedOut, 'ticked')).body.refused).toMatchObject([{ rule: 'R15' }]);
    expect((await evidenceOf(optedOut, 1))[0]).toMatchObject({ optOutOffered: true, optOutUsed: true });
    expect((await checkout(customer(), 'not-shown')).body.refused).toMatchObject([{ rule: 'R15' }]);
    expect((await checkout(customer(), 'unticked', false)).body.refused).toMatchObject([{ rule: 'R15' }]);
    const wrong = await checkout(customer(), 'maybe');
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain('optOutBox');
  });

  it('records a preference centre save as withdrawals, then grants, in one request', async () => {
    const subject = customer();
    const answer = await post('preferences', {
      subjectKey: subject,
      formVersion: 'preference-centre-v1',
      withdrawals: [
        { purposes: ['seg.purchase_history'] },
        { marketing: { productGroups: ['outdoor_gear'] } },
      ],
      grants: [{ ...NEWSLETTER, action: 'checkbox_ticked', purposes: ['email.newsletter'] }],
    });
    expect(answer.status).toBe(202);
    const outcome = answer.body as unknown as Outcome;
    expect(outcome.evidenceIds).toHaveLength(3);
    expect(outcome.confirmations.map((c) => c.evidenceId)).toEqual([outcome.evidenceIds[2]]);
    const evidence = await evidenceOf(subject, 3);
    expect(evidence.map((e) => e.kind)).toEqual(['withdrawal', 'withdrawal', 'marketing-consent']);
    expect(evidence[0]).toMatchObject({
      sourceChannel: 'preference-centre',
      action: 'preferences_saved',
      withdrawal: { purposes: ['seg.purchase_history'] },
    });
    expect(evidence[1]).toMatchObject({ withdrawal: { marketing: { productGroups: ['outdoor_gear'] } } });
    const all = await post('preferences', { subjectKey: customer(), withdrawals: [{ all: true }] });
    expect(all.status).toBe(202);
    // A withdrawal naming nothing would read as "everything": the site must say so.
    const vague = await post('preferences', { subjectKey: customer(), withdrawals: [{}] });
    expect(vague.status).toBe(400);
    expect((await post('preferences', { subjectKey: customer() })).status).toBe(400);
  });

  it('records an objection from any channel', async () => {
    const subject = customer();
    const answer = await post('objection', { subjectKey: subject, channel: 'email-reply' });
    expect(answer.status).toBe(202);
    const [objection] = await evidenceOf(subject, 1);
    expect(objection).toMatchObject({
      kind: 'objection',
      subject: { key: subject },
      sourceChannel: 'email-reply',
      timestamp: new Date(now).toISOString(),
    });
    expect((await post('objection', { subjectKey: subject, channel: 'pigeon' })).status).toBe(400);
  });

  it('authenticates the source and refuses malformed bodies without echoing values', async () => {
    const body = { subjectKey: customer(), ...NEWSLETTER };
    expect((await postJson(`${gateway.url}/v1/forms/crm/signup`, body)).status).toBe(401);
    expect((await post('signup', body, 'wrong-key')).status).toBe(401);
    expect((await postJson(`${gateway.url}/v1/forms/nowhere/signup`, body)).status).toBe(404);
    expect((await post('raffle', body)).status).toBe(404);
    const secret = 'anna@example.dk';
    const malformed = await post('signup', { ...body, purposes: secret });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toContain('purposes');
    expect(JSON.stringify(malformed.body)).not.toContain(secret);
    const extra = await post('signup', { ...body, email: secret });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).not.toContain(secret);
  });
});
