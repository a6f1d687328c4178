import { type Provider } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { AccessLogRepository, ApiKeyRepository } from '@app/persistence';
import { DEMO_PSEUDONYM_KEYRING, type PseudonymKeyring } from '@app/policy';
import { parsePseudonymKeyring } from '@app/stream';
import {
  AUDIT_ACCESS_LOG,
  AUDIT_API_KEYS,
  AUDIT_DATA_SOURCE,
  AUDIT_KEYRING,
  AUDIT_OIDC,
} from '../audit.constants';
import { type AuditAccessSettings } from './access.settings';
import { OidcVerifier } from './oidc.verifier';

/** The keyring persons are searched with: the configured one, else the demo keyring in demo mode, else none. */
export function searchKeyring(settings: AuditAccessSettings): PseudonymKeyring | null {
  const { keyring } = parsePseudonymKeyring(
    settings.GOVERN_PSEUDONYM_KEYS,
    settings.GOVERN_PSEUDONYM_ACTIVE_KEY,
  );
  if (keyring !== null) return keyring;
  return settings.GOVERN_DEMO_MODE === 'true' ? DEMO_PSEUDONYM_KEYRING : null;
}

/** API keys, access log, OIDC and the keyring, built from validated settings. */
export function accessProviders(settings: AuditAccessSettings): Provider[] {
  return [
    {
      provide: AUDIT_API_KEYS,
      inject: [AUDIT_DATA_SOURCE],
      useFactory: (db: DataSource) => new ApiKeyRepository(db),
    },
    {
      provide: AUDIT_ACCESS_LOG,
      inject: [AUDIT_DATA_SOURCE],
      useFactory: (db: DataSource) => new AccessLogRepository(db),
    },
    {
      provide: AUDIT_OIDC,
      useFactory: () =>
        settings.AUDIT_OIDC_JWKS_URL === undefined
          ? null
          : new OidcVerifier({
              jwksUrl: settings.AUDIT_OIDC_JWKS_URL,
              issuer: settings.AUDIT_OIDC_ISSUER ?? '',
              audience: settings.AUDIT_OIDC_AUDIENCE ?? '',
              rolesClaim: settings.AUDIT_OIDC_ROLES_CLAIM,
            }),
    },
    { provide: AUDIT_KEYRING, useFactory: () => searchKeyring(settings) },
  ];
}
