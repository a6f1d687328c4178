import 'reflect-metadata';
import { call, startAuditStack, type AuditStack } from './support/audit-stack';
import { SOME_SUBJECT } from './support/routes';

const INJECTIONS = [
  "' or '1'='1",
  "x'; drop table audit_access_log; --",
  '1) or (1=1',
  '$1',
  '\\x00',
  '%00',
  '../../etc/passwd',
];
// Far beyond every bound, yet under Node's 16 kB header limit (beyond it Node answers 431 itself).
const OVERSIZED = 'A'.repeat(5_000);

/** Every filter of the API, with a way to put a hostile value into it. */
const FILTERS: { name: string; path: (v: string) => string }[] = [
  { name: 'timeline subject', path: (v) => `/v1/persons/${encodeURIComponent(v)}/timeline` },
  {
    name: 'timeline from',
    path: (v) => `/v1/persons/${SOME_SUBJECT}/timeline?from=${encodeURIComponent(v)}`,
  },
  { name: 'timeline to', path: (v) => `/v1/persons/${SOME_SUBJECT}/timeline?to=${encodeURIComponent(v)}` },
  {
    name: 'timeline destination',
    path: (v) => `/v1/persons/${SOME_SUBJECT}/timeline?destination=${encodeURIComponent(v)}`,
  },
  {
    name: 'timeline cursor',
    path: (v) => `/v1/persons/${SOME_SUBJECT}/timeline?cursor=${encodeURIComponent(v)}`,
  },
  {
    name: 'timeline limit',
    path: (v) => `/v1/persons/${SOME_SUBJECT}/timeline?limit=${encodeURIComponent(v)}`,
  },
  { name: 'export subject', path: (v) => `/v1/persons/${encodeURIComponent(v)}/access-export` },
  {
    name: 'export format',
    path: (v) => `/v1/persons/${SOME_SUBJECT}/access-export?format=${encodeURIComponent(v)}`,
  },
  {
    name: 'explain destination',
    path: (v) => `/v1/events/evt-1/explain?destination=${encodeURIComponent(v)}`,
  },
  { name: 'recall formVersion', path: (v) => `/v1/recalls?formVersion=${encodeURIComponent(v)}` },
  { name: 'recall cursor', path: (v) => `/v1/recalls?formVersion=banner-v1&cursor=${encodeURIComponent(v)}` },
  { name: 'statistics from', path: (v) => `/v1/statistics/decisions?from=${encodeURIComponent(v)}` },
  {
    name: 'statistics destination',
    path: (v) => `/v1/statistics/decisions?destination=${encodeURIComponent(v)}`,
  },
  { name: 'dead letters to', path: (v) => `/v1/statistics/dead-letters?to=${encodeURIComponent(v)}` },
  { name: 'access log subject', path: (v) => `/v1/admin/access-log?subject=${encodeURIComponent(v)}` },
  { name: 'access log cursor', path: (v) => `/v1/admin/access-log?cursor=${encodeURIComponent(v)}` },
  { name: 'unknown parameter', path: (v) => `/v1/admin/keys?${encodeURIComponent(v)}=1` },
];

/** Id-like filters accept any printable text: a hostile one finds nothing and goes nowhere but a parameter. */
const FREE_TEXT: { name: string; path: (v: string) => string }[] = [
  { name: 'explain eventId', path: (v) => `/v1/events/${encodeURIComponent(v)}/explain` },
  { name: 'evidence id', path: (v) => `/v1/evidence/${encodeURIComponent(v)}` },
];

describe('hostile input on every filter', () => {
  let stack: AuditStack;

  beforeAll(async () => {
    stack = await startAuditStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const expectRefused = (res: { status: number; body: unknown; text: string }, sent: string): void => {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toEqual({ code: expect.stringMatching(/^[a-z-]+$/), message: expect.any(String) });
    if (sent.length > 3) expect(res.text).not.toContain(sent.slice(0, 12));
  };

  describe.each(FILTERS.map((f) => [f.name, f] as const))('%s', (_name, filter) => {
    it.each([...INJECTIONS, OVERSIZED].map((v) => [v.slice(0, 30), v] as const))(
      'refuses %s with a 4xx naming no value',
      async (_v, value) => {
        expectRefused(await call(stack, 'GET', filter.path(value), { token: stack.keys.admin }), value);
      },
    );
  });

  describe.each(FREE_TEXT.map((f) => [f.name, f] as const))('%s', (_name, filter) => {
    it.each(INJECTIONS.map((v) => [v, v] as const))('finds nothing for %s', async (_v, value) => {
      const res = await call(stack, 'GET', filter.path(value), { token: stack.keys.admin });
      expect([400, 404]).toContain(res.status);
      expect(res.text).not.toContain(value);
    });
    it('refuses an oversized id', async () => {
      expectRefused(await call(stack, 'GET', filter.path(OVERSIZED), { token: stack.keys.admin }), OVERSIZED);
    });
  });

  it('treats a hostile identifier in a search as data: pseudonyms back, the text nowhere', async () => {
    for (const identifier of INJECTIONS.filter((v) => !v.includes('\\'))) {
      const res = await call(stack, 'POST', '/v1/persons/search', {
        body: { identifier },
        token: stack.keys.auditor,
      });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(identifier);
    }
    const tables: unknown[] = await stack.db.query(
      `select 1 from information_schema.tables where table_name = 'audit_access_log' and table_schema = current_schema()`,
    );
    expect(tables).toHaveLength(1);
  });

  it.each([
    ['an oversized identifier', { identifier: 'x'.repeat(321) }, 400, 'invalid-request'],
    ['a control character', { identifier: 'a\u0000b' }, 400, 'invalid-request'],
    ['a number', { identifier: 42 }, 400, 'invalid-request'],
    ['an array', { identifier: ['a', 'b'] }, 400, 'invalid-request'],
    ['an unknown field', { identifier: 'a', sql: 'drop' }, 400, 'invalid-request'],
    ['a body over 16 kB', { identifier: 'x'.repeat(20_000) }, 413, 'body-too-large'],
  ])('refuses a search body with %s', async (_what, body, status, code) => {
    const res = await call(stack, 'POST', '/v1/persons/search', { body, token: stack.keys.auditor });
    expect(res.status).toBe(status);
    expect((res.body as { code: string }).code).toBe(code);
    expect(res.text).not.toContain('xxxxxxxx');
  });

  it('drops a __proto__ member without polluting any prototype', async () => {
    const body =
      '{"identifier":"a","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}';
    const res = await call(stack, 'POST', '/v1/persons/search', { body, token: stack.keys.auditor });
    expect([200, 400]).toContain(res.status);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('refuses a body that is not JSON without quoting it', async () => {
    const res = await call(stack, 'POST', '/v1/persons/search', {
      body: '{"identifier": "secret@example.dk"',
      token: stack.keys.auditor,
    });
    expect(res.status).toBe(400);
    expect((res.body as { code: string }).code).toBe('body-not-json');
    expect(res.text).not.toContain('secret@');
  });

  it('answers an unknown route with a code and without echoing its path', async () => {
    const res = await call(stack, 'GET', '/v1/persons/search/someone@example.dk', {
      token: stack.keys.auditor,
    });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('someone@');
  });
});
