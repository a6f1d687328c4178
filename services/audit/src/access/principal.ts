import { type AuditRole } from '@app/persistence';

/**
 * Who is calling: `key:<keyId>` for an API key, `oidc:<issuer>#<sub>` for a bearer token; the
 * access log records this id, never a secret or token.
 */
export interface Principal {
  readonly id: string;
  readonly role: AuditRole;
}

/** Why credentials were refused; the response says what to fix, never what was sent. */
export type CredentialProblem = 'missing' | 'malformed' | 'invalid';
