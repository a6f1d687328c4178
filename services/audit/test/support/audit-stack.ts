import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type DataSource } from 'typeorm';
import { ApiKeyRepository, type AuditRole, createDataSource } from '@app/persistence';
import { loadConfig } from '@app/service-kit';
import { provideDatabase, type DatabaseUnderTest } from '@app/testing';
import { configureAuditHttp } from '../../src/audit-http';
import { AuditModule } from '../../src/audit.module';
import { AuditSettings } from '../../src/audit.settings';
import { type OidcProvider, startOidcProvider } from './oidc-provider';

/** The audit service on a free loopback port over a fresh, migrated schema, with a key per role. */
export interface AuditStack {
  readonly url: string;
  readonly database: DatabaseUnderTest;
  /** A connection to the same schema, for what a test checks or loads directly. */
  readonly db: DataSource;
  readonly keys: Readonly<Record<AuditRole, string>>;
  readonly oidc: OidcProvider;
  readonly app: INestApplication;
  close(): Promise<void>;
}

/** Starts the stack; `env` adds settings (e.g. a keyring); demo mode otherwise (the demo keyring). */
export async function startAuditStack(env: Record<string, string> = {}): Promise<AuditStack> {
  const database = await provideDatabase();
  const db = createDataSource({ url: database.url, schema: database.schema });
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  const oidc = await startOidcProvider();
  const settings = loadConfig(AuditSettings, {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    DATABASE_URL: database.url,
    GOVERN_DEMO_MODE: 'true',
    AUDIT_OIDC_JWKS_URL: oidc.jwksUrl,
    AUDIT_OIDC_ISSUER: oidc.issuer,
    AUDIT_OIDC_AUDIENCE: oidc.audience,
    AUDIT_DATABASE_SCHEMA: database.schema,
    // Tests that load lineage themselves run the API alone; the sink is turned on where it is the subject.
    AUDIT_SINK: 'false',
    ...env,
  });
  const ref = await Test.createTestingModule({
    imports: [AuditModule.forSettings(settings)],
  }).compile();
  const app = ref.createNestApplication({ logger: false });
  configureAuditHttp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const repo = new ApiKeyRepository(db);
  const keys = {
    auditor: (await repo.create('auditor', 'test auditor')).token,
    dpo: (await repo.create('dpo', 'test dpo')).token,
    admin: (await repo.create('admin', 'test admin')).token,
  };
  return {
    url,
    database,
    db,
    keys,
    oidc,
    app,
    close: async () => {
      await app.close();
      await oidc.close();
      await db.destroy();
      await database.drop();
    },
  };
}

/** A request with an API key or token; the JSON body parsed when there is one. */
export async function call(
  stack: AuditStack,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text, headers: res.headers };
}
