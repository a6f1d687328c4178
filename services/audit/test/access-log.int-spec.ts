import 'reflect-metadata';
import { lineagePseudonym, DEMO_PSEUDONYM_KEYRING } from '@app/policy';
import { call, startAuditStack, type AuditStack } from './support/audit-stack';
import { ROUTES } from './support/routes';

interface LogPage {
  items: { id: string; principal: string; role: string; endpoint: string; subjects: string[] }[];
  nextCursor: string | null;
}

// Access to personal data is accountable: every request that touches a person is logged before
// any data is returned, and the database itself refuses to change or remove a log row.
describe('access log', () => {
  let stack: AuditStack;

  beforeAll(async () => {
    stack = await startAuditStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const newest = async (): Promise<LogPage['items'][number] | undefined> =>
    ((await call(stack, 'GET', '/v1/admin/access-log?limit=1', { token: stack.keys.admin })).body as LogPage)
      .items[0];

  it.each(ROUTES.filter((r) => r.person).map((r) => [`${r.method} ${r.template}`, r] as const))(
    'records %s with who, which endpoint and which pseudonyms',
    async (_name, route) => {
      const before: { n: string }[] = await stack.db.query(
        'select count(*)::text as n from audit_access_log',
      );
      const res = await call(stack, route.method, route.path, { body: route.body, token: stack.keys.dpo });
      expect([401, 403]).not.toContain(res.status);
      const after: { n: string }[] = await stack.db.query('select count(*)::text as n from audit_access_log');
      // A lookup that found nothing still touched whoever the question named, so it is logged too;
      // a request refused before it reached any person (400, 404 of an unknown event) may not be.
      if (res.status === 200) {
        expect(Number(after[0]?.n)).toBe(Number(before[0]?.n) + 1);
        const entry = await newest();
        expect(entry?.endpoint).toBe(`${route.method} ${route.template.replace(/\{(\w+)\}/g, ':$1')}`);
        expect(entry?.principal).toMatch(/^key:[0-9a-f]{16}$/);
        expect(entry?.role).toBe('dpo');
      }
    },
  );

  it('logs the pseudonyms of a search, never the identifier typed', async () => {
    const identifier = 'Someone.Private@Example.DK';
    const res = await call(stack, 'POST', '/v1/persons/search', {
      body: { identifier },
      token: stack.keys.auditor,
    });
    expect(res.status).toBe(200);
    expect(res.text.toLowerCase()).not.toContain('someone.private');
    const entry = await newest();
    expect(entry?.subjects).toContain(lineagePseudonym(DEMO_PSEUDONYM_KEYRING, 'someone.private@example.dk'));
    const everything: unknown[] = await stack.db.query('select * from audit_access_log');
    expect(JSON.stringify(everything).toLowerCase()).not.toContain('someone.private');
  });

  it('records OIDC callers by issuer and subject', async () => {
    const token = await stack.oidc.token({ sub: 'dpo-7', roles: 'dpo' });
    const res = await call(stack, 'GET', `/v1/persons/demo:${'a'.repeat(32)}/timeline`, { token });
    expect(res.status).toBe(200);
    expect((await newest())?.principal).toBe(`oidc:${stack.oidc.issuer}#dpo-7`);
  });

  it('filters the log by pseudonym and pages it with a cursor', async () => {
    const subject = `demo:${'b'.repeat(32)}`;
    for (let i = 0; i < 3; i++)
      await call(stack, 'GET', `/v1/persons/${subject}/timeline`, { token: stack.keys.auditor });
    const first = (
      await call(stack, 'GET', `/v1/admin/access-log?subject=${subject}&limit=2`, { token: stack.keys.admin })
    ).body as LogPage;
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (
      await call(stack, 'GET', `/v1/admin/access-log?subject=${subject}&limit=2&cursor=${first.nextCursor}`, {
        token: stack.keys.admin,
      })
    ).body as LogPage;
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it('pages the whole log newest first, by number (id 10 after 9), each row once', async () => {
    for (let i = 0; i < 12; i++)
      await call(stack, 'GET', `/v1/persons/demo:${'f'.repeat(32)}/timeline`, { token: stack.keys.auditor });
    const total: { n: string }[] = await stack.db.query('select count(*)::text as n from audit_access_log');
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page = (
        await call(
          stack,
          'GET',
          `/v1/admin/access-log?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`,
          { token: stack.keys.admin },
        )
      ).body as LogPage & { items: { id: string }[] };
      ids.push(...page.items.map((i) => Number(i.id)));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids).toHaveLength(Number(total[0]?.n));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('records reading the access log itself, with the pseudonym asked about', async () => {
    const subject = `demo:${'e'.repeat(32)}`;
    await call(stack, 'GET', `/v1/admin/access-log?subject=${subject}`, { token: stack.keys.admin });
    const rows: { endpoint: string; subjects: string[]; role: string }[] = await stack.db.query(
      'select endpoint, subjects, role from audit_access_log order by id desc limit 1',
    );
    expect(rows[0]).toEqual({ endpoint: 'GET /v1/admin/access-log', subjects: [subject], role: 'admin' });
  });

  it.each([
    ['update', "update audit_access_log set principal = 'someone-else'"],
    ['delete', 'delete from audit_access_log'],
    ['truncate', 'truncate audit_access_log'],
  ])('refuses to %s log rows, in the database itself', async (_what, sql) => {
    await call(stack, 'GET', `/v1/persons/demo:${'c'.repeat(32)}/timeline`, { token: stack.keys.auditor });
    const before: unknown[] = await stack.db.query('select * from audit_access_log order by id');
    await expect(stack.db.query(sql)).rejects.toThrow(/append-only/);
    expect(await stack.db.query('select * from audit_access_log order by id')).toEqual(before);
  });

  it('refuses the request when the log cannot be written (no unaccounted access)', async () => {
    await stack.db.query('alter table audit_access_log rename to audit_access_log_moved');
    try {
      const res = await call(stack, 'GET', `/v1/persons/demo:${'d'.repeat(32)}/timeline`, {
        token: stack.keys.auditor,
      });
      expect(res.status).toBe(500);
      expect((res.body as { code: string }).code).toBe('internal');
    } finally {
      await stack.db.query('alter table audit_access_log_moved rename to audit_access_log');
    }
  });
});
