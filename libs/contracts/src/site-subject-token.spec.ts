import { mintSiteSubjectToken, verifySiteSubjectToken } from './site-subject-token';

const SECRET = Buffer.alloc(32, 5);
const NOW = 1_800_000_000;

describe('site subject tokens', () => {
  it('verify a fresh token of the site', () => {
    const token = mintSiteSubjectToken(SECRET, { subjectKey: 'cust-1', expiresAt: NOW + 60 });
    expect(verifySiteSubjectToken(SECRET, token, NOW)).toEqual({
      ok: true,
      claims: { subjectKey: 'cust-1', expiresAt: NOW + 60 },
    });
  });

  it('refuse expired, long-lived, forged and malformed tokens', () => {
    const problem = (token: unknown) => {
      const r = verifySiteSubjectToken(SECRET, token, NOW);
      return r.ok ? null : r.problem;
    };
    expect(problem(mintSiteSubjectToken(SECRET, { subjectKey: 'c', expiresAt: NOW }))).toBe('expired');
    expect(problem(mintSiteSubjectToken(SECRET, { subjectKey: 'c', expiresAt: NOW + 90_000 }))).toBe(
      'lifetime-too-long',
    );
    expect(problem(mintSiteSubjectToken(Buffer.alloc(32, 6), { subjectKey: 'c', expiresAt: NOW + 60 }))).toBe(
      'bad-signature',
    );
    const [payload, signature] = mintSiteSubjectToken(SECRET, { subjectKey: 'c', expiresAt: NOW + 60 }).split(
      '.',
    );
    const other = Buffer.from(JSON.stringify({ sub: 'admin', exp: NOW + 60 })).toString('base64url');
    expect(problem(`${other}.${signature}`)).toBe('bad-signature');
    expect(problem(`${payload}`)).toBe('malformed');
    expect(problem(42)).toBe('malformed');
  });
});
