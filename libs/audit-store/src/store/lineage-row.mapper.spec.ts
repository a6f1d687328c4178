import { lineageRow, MAX_FIELD_CHARS } from './lineage-row.mapper';

const at = { topic: 'governance.lineage', partition: 1, offset: '42' };
const TS = String(Date.parse('2026-02-03T04:05:06Z'));
const row = (v: unknown) => lineageRow(at, TS, Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));
const base = {
  lineageVersion: 2,
  policyVersion: '1.0+abc',
  eventId: 'e1',
  subject: 'k1:aa',
  time: '2025-01-06T08:00:00Z',
};
const decision = {
  ...base,
  kind: 'decision',
  source: 'crm',
  type: 'customer.updated',
  paths: ['email', 'name'],
  evidence: ['ev1', 'ev2', 'ev1'],
  destinations: {
    'email-service': { f: [0] },
    segmentation: { p: [1] },
    ads: { w: { 'no-consent': [0, 1] } },
  },
};

describe('lineage row mapping', () => {
  it('maps a decision: destinations forwarded to (as-is or pseudonymised), evidence ids once', () => {
    const r = row(decision);
    expect(r).toMatchObject({
      ...at,
      kind: 'decision',
      subject: 'k1:aa',
      eventId: 'e1',
      policyVersion: '1.0+abc',
      evidenceIds: ['ev1', 'ev2'],
      forwardedTo: ['email-service', 'segmentation'],
      formVersion: null,
      code: null,
    });
    expect(r.time.toISOString()).toBe('2025-01-06T08:00:00.000Z');
    expect(r.json).toBe(JSON.stringify(decision));
  });

  it('maps an assessment (its id, the sign-up it confirms, the form version), a suppression, a link, a dead letter', () => {
    const assessment = {
      ...base,
      kind: 'consent-assessment',
      evidenceId: 'ev9',
      evidenceKind: 'confirmation',
      valid: true,
      reason: 'consent-valid',
      rule: 'R4',
      purposes: ['newsletter'],
      formVersion: 'nl-v2',
      confirms: 'ev8',
    };
    expect(row(assessment)).toMatchObject({ evidenceIds: ['ev9', 'ev8'], formVersion: 'nl-v2' });
    const suppression = {
      ...base,
      kind: 'suppression',
      destination: 'email-service',
      purposes: ['p'],
      rule: 'R18',
      evidenceId: 'ev3',
    };
    expect(row(suppression)).toMatchObject({ kind: 'suppression', evidenceIds: ['ev3'], forwardedTo: [] });
    expect(row({ ...base, kind: 'identity-link', alias: 'k1:bb', linked: true })).toMatchObject({
      alias: 'k1:bb',
    });
    const dead = {
      ...base,
      kind: 'dead-letter',
      eventId: null,
      subject: null,
      time: null,
      code: 'not-json',
      reason: 'x',
    };
    const r = row(dead);
    expect(r).toMatchObject({ kind: 'dead-letter', code: 'not-json', subject: null });
    // No time of its own: the Kafka record's timestamp.
    expect(r.time.toISOString()).toBe('2026-02-03T04:05:06.000Z');
  });

  it.each([
    ['not JSON', '{"lineageVersion":2', 'not-json'],
    ['JSON but no lineage v2', { ...decision, lineageVersion: 1 }, 'not-lineage-v2'],
    ['an unknown kind', { ...base, kind: 'gossip' }, 'not-lineage-v2'],
    ['a decision without destinations', { ...decision, destinations: undefined }, 'not-lineage-v2'],
    ['a negative path index', { ...decision, destinations: { x: { f: [-1] } } }, 'not-lineage-v2'],
    ['an array', [1, 2], 'not-lineage-v2'],
    ['an oversized subject', { ...decision, subject: 'k'.repeat(MAX_FIELD_CHARS + 1) }, 'oversized-field'],
    ['an escaped NUL', `${JSON.stringify(decision).slice(0, -1)},"x":"a\\u0000b"}`, 'unstorable-text'],
    [
      'an escaped lone surrogate',
      `${JSON.stringify(decision).slice(0, -1)},"x":"\\ud800"}`,
      'unstorable-text',
    ],
  ])('keeps %s as an unreadable row with coordinates only', (_, value, code) => {
    const r = row(value);
    expect(r).toMatchObject({
      ...at,
      kind: 'unreadable',
      code,
      record: null,
      json: null,
      subject: null,
      eventId: null,
    });
  });

  it('keeps a record time outside the store’s range as the Kafka timestamp', () => {
    expect(row({ ...decision, time: '+275760-09-13T00:00:00.000Z' }).time.toISOString()).toBe(
      '2026-02-03T04:05:06.000Z',
    );
  });

  it('maps an anonymous count (R23) with no subject or event, and its time from the Kafka timestamp', () => {
    const figure = {
      lineageVersion: 2,
      policyVersion: '1.0+abc',
      eventId: null,
      subject: null,
      time: null,
      kind: 'aggregate-count',
      aggregate: 'email-engagement',
      source: 'esp',
      type: 'email.opened',
      by: 'campaignId',
      campaign: 'c-7',
      day: '2026-02-03',
      count: 10,
      minimumCount: 5,
      rule: 'R23',
    };
    expect(row(figure)).toMatchObject({ kind: 'aggregate-count', subject: null, eventId: null, code: null });
    expect(row(figure).time.toISOString()).toBe('2026-02-03T04:05:06.000Z');
    expect(row({ ...figure, rule: 'R4' }).kind).toBe('unreadable');
    expect(row({ ...figure, count: '10' }).kind).toBe('unreadable');
  });

  it('reads an empty value as unreadable', () => {
    expect(lineageRow(at, TS, null)).toMatchObject({ kind: 'unreadable', code: 'not-json' });
  });
});
