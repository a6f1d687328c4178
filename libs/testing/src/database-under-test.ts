import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { containerRuntimeAnswers } from './container-runtime';

/** A PostgreSQL database for one test run, with its own schema that `drop()` removes. */
export interface DatabaseUnderTest {
  url: string;
  schema: string;
  origin: 'DATABASE_URL' | 'local server' | 'testcontainers';
  drop(): Promise<void>;
}

const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema "${schema}"`);
  } finally {
    await client.end();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * A fresh schema on DATABASE_URL when set; otherwise on the local server (127.0.0.1:5432) when it
 * answers; otherwise in a PostgreSQL container when a container runtime answers; otherwise fails.
 */
export async function provideDatabase(env: NodeJS.ProcessEnv = process.env): Promise<DatabaseUnderTest> {
  let url: string;
  let origin: DatabaseUnderTest['origin'];
  let stopContainer: () => Promise<void> = async () => undefined;
  if (env.DATABASE_URL) {
    url = env.DATABASE_URL;
    origin = 'DATABASE_URL';
    if (!(await answers(url)))
      throw new Error(`DATABASE_URL does not answer; check that PostgreSQL runs there.`);
  } else if (await answers(LOCAL_SERVER_URL)) {
    url = LOCAL_SERVER_URL;
    origin = 'local server';
  } else if (await containerRuntimeAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    url = container.getConnectionUri();
    origin = 'testcontainers';
    stopContainer = async () => {
      await container.stop();
    };
  } else {
    throw new Error(
      'No PostgreSQL for the integration tests: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) ' +
        'or make a Docker engine available for testcontainers.',
    );
  }
  const schema = `test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await createSchema(url, schema);
  return {
    url,
    schema,
    origin,
    drop: async () => {
      await dropSchema(url, schema);
      await stopContainer();
    },
  };
}
