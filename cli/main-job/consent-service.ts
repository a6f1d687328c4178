import { randomBytes } from 'node:crypto';
import { createRunSchema, type ServiceOnSchemaOptions, startServiceProcess } from './service-process';

/** What `GET /ledger/verify` answers (the fields the main job prints). */
export interface LedgerVerifyResult {
  readonly ok: boolean;
  readonly rowsChecked: number;
  readonly anchorsChecked: number;
  readonly firstBreak: unknown;
}

/** The consent service the main job started. */
export interface RunningConsent {
  /**
   * Verifies the ledger once it holds `rows` rows (or has not grown for 10 s); null when the
   * service gave no answer in time.
   */
  verifyWhenSettled(
    rows: number,
    seconds: number,
    progress: (rows: number) => void,
  ): Promise<LedgerVerifyResult | null>;
  stop(): Promise<number | string>;
}

/** This run's ledger schema is migrated by the service at its start. */
export type ConsentServiceOptions = ServiceOnSchemaOptions;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the consent service (the ledger consumer) as a child process of this job's Node, on a
 * schema of its own, reading the run's evidence topic, with an admin key for its verify endpoint.
 */
export async function startConsentService(o: ConsentServiceOptions): Promise<RunningConsent> {
  await createRunSchema(o.databaseUrl, o.schema);
  const adminKey = randomBytes(32).toString('base64url');
  const service = startServiceProcess(o.root, 'dist/services/consent/src/main.js', {
    ...o.env,
    DATABASE_URL: o.databaseUrl,
    CONSENT_DATABASE_SCHEMA: o.schema,
    CONSENT_MIGRATE_AT_START: 'true',
    CONSENT_TOPIC_PREFIX: o.topicPrefix,
    CONSENT_GROUP_ID: o.groupId,
    CONSENT_ADMIN_API_KEY: adminKey,
    HTTP_PORT: o.port,
    GOVERN_DEMO_MODE: 'true',
    LOG_LEVEL: 'warn',
  });
  const verify = async (): Promise<LedgerVerifyResult | null> => {
    try {
      const res = await fetch(`http://127.0.0.1:${o.port}/ledger/verify`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      return res.status === 200 || res.status === 409 ? ((await res.json()) as LedgerVerifyResult) : null;
    } catch {
      return null;
    }
  };
  return {
    async verifyWhenSettled(rows, seconds, progress) {
      let last = -1;
      let still = 0;
      for (let i = 0; i < seconds * 2 && service.child.exitCode === null; i++) {
        await sleep(500);
        const result = await verify();
        if (result === null) continue;
        if (i % 4 === 0 || result.rowsChecked >= rows) progress(result.rowsChecked);
        if (result.rowsChecked >= rows) return result;
        // Fewer rows than records for 10 s: verify what is there, and the job says how many.
        still = result.rowsChecked === last ? still + 1 : 0;
        last = result.rowsChecked;
        if (still >= 20) return result;
      }
      return null;
    },
    stop: () => service.stop(),
  };
}
