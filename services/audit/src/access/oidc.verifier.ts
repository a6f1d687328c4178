import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AUDIT_ROLES, type AuditRole, isAuditRole } from '@app/persistence';
import { type Principal } from './principal';

export interface OidcOptions {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly rolesClaim: string;
}

/** Asymmetric algorithms only: a shared-secret (HS*) or `none` token is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** The highest audit role named by the claim (a string or an array), or null. */
function highestRole(claim: unknown): AuditRole | null {
  const named = (Array.isArray(claim) ? claim : [claim]).filter(isAuditRole);
  for (const role of [...AUDIT_ROLES].reverse()) if (named.includes(role)) return role;
  return null;
}

/**
 * OIDC bearer tokens: signature against the provider's JWKS (fetched and cached by jose, refetched
 * when an unknown key id appears), issuer, audience, expiry and not-before. A valid token without
 * an audit role is refused like a bad one: it names no one who may read.
 */
export class OidcVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: OidcOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5000 });
  }

  /** The caller, or null when the token is not valid for this API. */
  async verify(token: string): Promise<Principal | null> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
      });
      const role = highestRole(payload[this.options.rolesClaim]);
      if (role === null || typeof payload.sub !== 'string') return null;
      return { id: `oidc:${this.options.issuer}#${payload.sub}`, role };
    } catch {
      // Expired, wrong issuer or audience, bad signature, unknown key, JWKS unreachable: all refused.
      return null;
    }
  }
}
