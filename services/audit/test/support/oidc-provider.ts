import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A local OpenID provider's JWKS endpoint on 127.0.0.1 with a generated RS256 key pair, and a
 * signer for tokens: what the auditor API verifies bearer tokens against in tests.
 */
export interface OidcProvider {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** A token signed with the provider's key; claims override the defaults (sub, roles, exp in 10 min). */
  token(
    claims?: Record<string, unknown>,
    options?: { expiresIn?: string; issuer?: string; audience?: string },
  ): Promise<string>;
  /** A well-formed token signed with a key the provider does not publish. */
  foreignToken(claims?: Record<string, unknown>): Promise<string>;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  close(): Promise<void>;
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export async function startOidcProvider(): Promise<OidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let fetched = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks.json') {
      fetched += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  const issuer = `${base}/`;
  const audience = 'auditor-api';
  const sign = (
    key: PrivateKey,
    claims: Record<string, unknown>,
    o: { expiresIn?: string; issuer?: string; audience?: string } = {},
  ): Promise<string> =>
    new SignJWT({ sub: 'auditor-1', roles: ['auditor'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuedAt()
      .setIssuer(o.issuer ?? issuer)
      .setAudience(o.audience ?? audience)
      .setExpirationTime(o.expiresIn ?? '10m')
      .sign(key);
  return {
    jwksUrl: `${base}/jwks.json`,
    issuer,
    audience,
    token: (claims = {}, options) => sign(privateKey, claims, options),
    foreignToken: (claims = {}) => sign(foreign.privateKey, claims),
    fetches: () => fetched,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
