import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensureDatabaseExists } from '@app/persistence';

/** A built service the main job runs as a child process. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<number | string>;
  /** Asks it to stop (SIGTERM) unless it has exited; resolves with how it ended. */
  stop(): Promise<number | string>;
}

/**
 * Starts `entry` (a path under the build output, from the project root) with this job's Node and
 * its flags (e.g. the warning filter of `npm start`). Only its standard error is shown; `ipc` opens
 * the message channel.
 */
export function startServiceProcess(
  root: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  options: { ipc?: boolean } = {},
): ServiceProcess {
  const child = spawn(process.execPath, [...process.execArgv, join(root, entry)], {
    cwd: root,
    stdio: options.ipc ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit'],
    env,
  });
  const exited = new Promise<number | string>((done) => child.once('exit', (c, s) => done(s ?? c ?? -1)));
  return {
    child,
    exited,
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** What the job gives a service that keeps its tables in a schema of this run. */
export interface ServiceOnSchemaOptions {
  readonly root: string;
  readonly databaseUrl: string;
  /** This run's schema: a rerun never mixes its rows (the sample's ids repeat) with an earlier run's. */
  readonly schema: string;
  readonly topicPrefix: string;
  readonly groupId: string;
  readonly port: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Creates the database when missing, and the run's schema in it. */
export async function createRunSchema(databaseUrl: string, schema: string): Promise<void> {
  await ensureDatabaseExists(databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
