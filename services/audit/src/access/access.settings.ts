import { Expose } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsUrl, Matches, ValidateBy, ValidateIf } from 'class-validator';
import { DatabaseSettings } from '@app/service-kit';
import { ACTIVE_KEY_VARIABLE, parsePseudonymKeyring, PSEUDONYM_KEYS_VARIABLE } from '@app/stream';

/** The keyring problems one of the two variables fixes, never quoting a value. */
function KeyringSetting(
  variable: typeof PSEUDONYM_KEYS_VARIABLE | typeof ACTIVE_KEY_VARIABLE,
): PropertyDecorator {
  const mine = (s: AuditAccessSettings): string[] =>
    parsePseudonymKeyring(s.GOVERN_PSEUDONYM_KEYS, s.GOVERN_PSEUDONYM_ACTIVE_KEY)
      .problems.filter((p) => p.variable === variable)
      .map((p) => p.problem);
  return ValidateBy({
    name: 'pseudonymKeyring',
    validator: {
      validate: (_, args) => mine(args?.object as AuditAccessSettings).length === 0,
      defaultMessage: (args) => mine(args?.object as AuditAccessSettings).join('; '),
    },
  });
}

const oidcOn = (s: AuditAccessSettings): boolean => s.AUDIT_OIDC_JWKS_URL !== undefined;

function httpsOrLoopback(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Who may use the auditor API, and how persons are found. Names are the environment variables.
 * OIDC is optional (API keys always work); when its JWKS URL is set, issuer and audience must be
 * set too, so a token from any other issuer or for any other application is refused.
 */
export class AuditAccessSettings extends DatabaseSettings {
  /** The same keyring as the engine's: every key id of it is searched (retired ids included). */
  @Expose()
  @KeyringSetting(PSEUDONYM_KEYS_VARIABLE)
  GOVERN_PSEUDONYM_KEYS?: string;

  @Expose()
  @KeyringSetting(ACTIVE_KEY_VARIABLE)
  GOVERN_PSEUDONYM_ACTIVE_KEY?: string;

  /** Demo mode: without a keyring, persons are searched under the public demo keyring. */
  @Expose()
  @IsIn(['true', 'false'])
  GOVERN_DEMO_MODE = 'false';

  /** JWKS of the identity provider whose bearer tokens are accepted (https, or http on loopback). */
  @Expose()
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @ValidateBy({
    name: 'httpsUnlessLoopback',
    validator: {
      // Keys fetched in clear from another machine could be swapped on the way: tokens would be forged.
      validate: (value: unknown) => typeof value !== 'string' || httpsOrLoopback(value),
      defaultMessage: () =>
        'must be an https URL (http only for a provider on this machine: 127.0.0.1, ::1, localhost)',
    },
  })
  AUDIT_OIDC_JWKS_URL?: string;

  /** The `iss` every accepted token must carry. */
  @Expose()
  @ValidateIf(oidcOn)
  @IsNotEmpty({ message: 'must be set when AUDIT_OIDC_JWKS_URL is set' })
  AUDIT_OIDC_ISSUER?: string;

  /** The `aud` every accepted token must carry (this API's client id). */
  @Expose()
  @ValidateIf(oidcOn)
  @IsNotEmpty({ message: 'must be set when AUDIT_OIDC_JWKS_URL is set' })
  AUDIT_OIDC_AUDIENCE?: string;

  /** The claim holding the caller's roles (a string or an array of auditor, dpo, admin). */
  @Expose()
  @Matches(/^[A-Za-z0-9_.:/-]{1,100}$/, { message: 'must be a claim name' })
  AUDIT_OIDC_ROLES_CLAIM = 'roles';
}
