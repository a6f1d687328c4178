import { type DataSource } from 'typeorm';

const connecting = new WeakMap<DataSource, Promise<DataSource>>();

/**
 * The data source, connected: the first caller connects it, concurrent callers wait for the same
 * attempt, and a failed attempt is forgotten so the next call tries again (a service starts, and
 * reports not-ready, while its database is down).
 */
export function connected(db: DataSource): Promise<DataSource> {
  if (db.isInitialized) return Promise.resolve(db);
  let attempt = connecting.get(db);
  if (attempt === undefined) {
    attempt = db.initialize().finally(() => connecting.delete(db));
    connecting.set(db, attempt);
  }
  return attempt;
}
