import 'reflect-metadata';
import { AUDIT_ROLES, ApiKeyRepository, roleCovers } from '@app/persistence';
import { call, startAuditStack, type AuditStack } from './support/audit-stack';
import { ROUTES } from './support/routes';

// Access control of the auditor API, route by route: no credentials, bad credentials and every
// role, for API keys and OIDC bearer tokens verified against a JWKS served on 127.0.0.1.
describe('auditor API access', () => {
  let stack: AuditStack;
  let revoked: string;

  beforeAll(async () => {
    stack = await startAuditStack();
    const repo = new ApiKeyRepository(stack.db);
    const key = await repo.create('admin', 'revoked');
    await repo.revoke(key.keyId);
    revoked = key.token;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lists every route of the OpenAPI description in the access table (none forgotten)', async () => {
    const docs = (await call(stack, 'GET', '/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(docs.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const tested = ROUTES.map((r) => `${r.method} ${r.template}`);
    expect(documented.filter((r) => !r.startsWith('GET /health') && r !== 'GET /metrics').sort()).toEqual(
      [...new Set(tested)].sort(),
    );
  });

  const refused: [string, (s: AuditStack) => Promise<Record<string, string>>, string][] = [
    ['no credentials', async () => ({}), 'credentials-missing'],
    ['a Basic header', async () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }), 'credentials-malformed'],
    [
      'a malformed API key',
      async () => ({ authorization: 'Bearer gov_nothex_short' }),
      'credentials-malformed',
    ],
    [
      'an unknown API key',
      async () => ({ authorization: `Bearer gov_0123456789abcdef_${'A'.repeat(43)}` }),
      'credentials-invalid',
    ],
    [
      'a known key id with a wrong secret',
      async (s) => ({ authorization: `Bearer ${s.keys.admin.slice(0, 21)}${'B'.repeat(43)}` }),
      'credentials-invalid',
    ],
    ['a revoked API key', async () => ({ authorization: `Bearer ${revoked}` }), 'credentials-invalid'],
    [
      'an expired token',
      async (s) => ({
        authorization: `Bearer ${await s.oidc.token({ roles: ['admin'] }, { expiresIn: '-1m' })}`,
      }),
      'credentials-invalid',
    ],
    [
      'a token for another audience',
      async (s) => ({
        authorization: `Bearer ${await s.oidc.token({ roles: ['admin'] }, { audience: 'other-app' })}`,
      }),
      'credentials-invalid',
    ],
    [
      'a token from another issuer',
      async (s) => ({
        authorization: `Bearer ${await s.oidc.token({ roles: ['admin'] }, { issuer: 'https://evil.example/' })}`,
      }),
      'credentials-invalid',
    ],
    [
      'a token signed with an unpublished key',
      async (s) => ({ authorization: `Bearer ${await s.oidc.foreignToken({ roles: ['admin'] })}` }),
      'credentials-invalid',
    ],
    [
      'an unsigned token (alg none)',
      async () => ({ authorization: `Bearer ${unsigned({ sub: 'x', roles: ['admin'] })}` }),
      'credentials-invalid',
    ],
    [
      'a valid token without an audit role',
      async (s) => ({ authorization: `Bearer ${await s.oidc.token({ roles: ['marketing'] })}` }),
      'credentials-invalid',
    ],
  ];

  describe.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
    it.each(refused.map(([what, headers, code]) => [what, headers, code] as const))(
      'refuses %s with 401',
      async (_what, headers, code) => {
        const res = await call(stack, route.method, route.path, {
          body: route.body,
          headers: await headers(stack),
        });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ code, message: expect.any(String) });
      },
    );

    it.each(AUDIT_ROLES.map((role) => [role] as const))('with an API key of role %s', async (role) => {
      const res = await call(stack, route.method, route.path, { body: route.body, token: stack.keys[role] });
      if (roleCovers(role, route.role)) expect([401, 403]).not.toContain(res.status);
      else {
        expect(res.status).toBe(403);
        expect((res.body as { code: string }).code).toBe('role-insufficient');
      }
    });

    it.each(AUDIT_ROLES.map((role) => [role] as const))('with an OIDC token of role %s', async (role) => {
      const token = await stack.oidc.token({ sub: `person-${role}`, roles: ['marketing', role] });
      const res = await call(stack, route.method, route.path, { body: route.body, token });
      if (roleCovers(role, route.role)) expect([401, 403]).not.toContain(res.status);
      else expect(res.status).toBe(403);
    });
  });

  it('answers health, metrics, the console and the OpenAPI description without credentials', async () => {
    expect((await call(stack, 'GET', '/health/live')).status).toBe(200);
    expect((await call(stack, 'GET', '/metrics')).status).toBe(200);
    expect((await call(stack, 'GET', '/console/')).status).toBe(200);
    expect((await call(stack, 'GET', '/console/console.js')).status).toBe(200);
    expect((await call(stack, 'GET', '/docs-json')).status).toBe(200);
  });

  it('serves only the console files, whatever path is asked', async () => {
    for (const path of [
      '/console/..%2Fpackage.json',
      '/console/%2e%2e%2f%2e%2e%2fpackage.json',
      '/console/index.htm',
      '/console/constructor',
    ])
      expect([400, 404]).toContain((await call(stack, 'GET', path)).status);
  });

  it('shows a new key once and stores only its hash', async () => {
    const created = await call(stack, 'POST', '/v1/admin/keys', {
      token: stack.keys.admin,
      body: { role: 'dpo' },
    });
    expect(created.status).toBe(201);
    const token = (created.body as { token: string }).token;
    expect(token).toMatch(/^gov_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const listed = await call(stack, 'GET', '/v1/admin/keys', { token: stack.keys.admin });
    expect(listed.text).not.toContain(token.slice(21));
    const stored: { secret: string }[] = await stack.db.query(
      `select encode(secret_sha256, 'hex') as secret from audit_api_key`,
    );
    expect(JSON.stringify(stored)).not.toContain(token.slice(21));
    expect((await call(stack, 'GET', '/v1/reports/art30', { token })).status).not.toBe(401);
  });
});

/** A JWT with `alg: none` and no signature. */
function unsigned(claims: Record<string, unknown>): string {
  const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}
