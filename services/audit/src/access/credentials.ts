import { Inject, Injectable } from '@nestjs/common';
import { ApiKeyRepository, parseApiKey, sameDigest } from '@app/persistence';
import { OidcVerifier } from './oidc.verifier';
import { type CredentialProblem, type Principal } from './principal';
import { AUDIT_API_KEYS, AUDIT_OIDC } from '../audit.constants';

/** Longest Authorization header considered; anything longer is refused unread. */
const MAX_AUTHORIZATION = 8192;

/**
 * Resolves the `Authorization: Bearer …` header to a principal: an API key (`gov_…`) by its stored
 * hash, anything else as an OIDC token when OIDC is configured.
 */
@Injectable()
export class Credentials {
  constructor(
    @Inject(AUDIT_API_KEYS) private readonly keys: ApiKeyRepository,
    @Inject(AUDIT_OIDC) private readonly oidc: OidcVerifier | null,
  ) {}

  async principal(authorization: unknown): Promise<Principal | CredentialProblem> {
    if (typeof authorization !== 'string' || authorization === '') return 'missing';
    if (authorization.length > MAX_AUTHORIZATION) return 'malformed';
    const m = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization);
    if (m === null) return 'malformed';
    const token = m[1] as string;
    if (token.startsWith('gov_')) {
      const presented = parseApiKey(token);
      if (presented === null) return 'malformed';
      const stored = await this.keys.findActive(presented.keyId);
      if (stored === null || !sameDigest(stored.secretSha256, presented.secretSha256)) return 'invalid';
      return { id: `key:${presented.keyId}`, role: stored.role };
    }
    if (this.oidc === null) return 'invalid';
    return (await this.oidc.verify(token)) ?? 'invalid';
  }
}
