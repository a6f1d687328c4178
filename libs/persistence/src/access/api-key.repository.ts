import { type DataSource } from 'typeorm';
import { connected } from '../connected';
import { type AuditRole, generateApiKey, isAuditRole } from './api-key';

/** An API key as listed to an admin: never its secret or hash. */
export interface ApiKeyListing {
  readonly keyId: string;
  readonly role: AuditRole;
  readonly label: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

interface KeyRow {
  key_id: string;
  role: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
  secret_sha256?: Buffer;
}

function listing(row: KeyRow): ApiKeyListing {
  if (!isAuditRole(row.role)) throw new Error('audit_api_key holds an unknown role');
  return {
    keyId: row.key_id,
    role: row.role,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString(),
  };
}

/** API keys in `audit_api_key` (migration AuditAccess). */
export class ApiKeyRepository {
  constructor(private readonly db: DataSource) {}

  /** Creates a key and returns it whole, the only time its secret exists outside its holder. */
  async create(role: AuditRole, label: string): Promise<ApiKeyListing & { token: string }> {
    const key = generateApiKey();
    const rows: KeyRow[] = await (
      await connected(this.db)
    ).query(
      `insert into audit_api_key (key_id, secret_sha256, role, label) values ($1, $2, $3, $4)
       returning key_id, role, label, created_at, revoked_at`,
      [key.keyId, key.secretSha256, role, label],
    );
    return { ...listing(rows[0] as KeyRow), token: key.token };
  }

  /** The stored hash and role of an unrevoked key, or null. */
  async findActive(keyId: string): Promise<{ role: AuditRole; secretSha256: Buffer } | null> {
    const rows: KeyRow[] = await (
      await connected(this.db)
    ).query(
      'select key_id, role, label, created_at, revoked_at, secret_sha256 from audit_api_key where key_id = $1 and revoked_at is null',
      [keyId],
    );
    const row = rows[0];
    if (row === undefined || row.secret_sha256 === undefined || !isAuditRole(row.role)) return null;
    return { role: row.role, secretSha256: row.secret_sha256 };
  }

  async list(): Promise<ApiKeyListing[]> {
    const rows: KeyRow[] = await (
      await connected(this.db)
    ).query(
      'select key_id, role, label, created_at, revoked_at from audit_api_key order by created_at, key_id',
    );
    return rows.map(listing);
  }

  /** Revokes a key; false when there is no such unrevoked key. */
  async revoke(keyId: string): Promise<boolean> {
    const rows: unknown[] = await (
      await connected(this.db)
    ).query(
      'update audit_api_key set revoked_at = now() where key_id = $1 and revoked_at is null returning key_id',
      [keyId],
    );
    return rows.length > 0;
  }
}
