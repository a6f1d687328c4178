import { STORED_KINDS, type StoredKind } from './lineage-row';
import { MAX_FIELD_CHARS } from './lineage-row.mapper';

/** Largest page a query returns; the default is {@link DEFAULT_PAGE_SIZE}. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;
/** Most pseudonyms one person lookup may name (one per identifier and key id). */
export const MAX_SUBJECTS = 32;
/** Longest time range the statistics queries cover, in days. */
export const MAX_STAT_DAYS = 800;

/**
 * A query parameter that cannot be used: `code` is stable, `parameter` names it, and the message
 * says what to fix without quoting the value.
 */
export class QueryInputError extends Error {
  constructor(
    readonly code: 'invalid-parameter' | 'invalid-cursor',
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
    this.name = 'QueryInputError';
  }
}

/** A non-empty identifier no longer than the store indexes. */
export function identifier(parameter: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new QueryInputError('invalid-parameter', parameter, 'must be a non-empty string');
  if (value.length > MAX_FIELD_CHARS)
    throw new QueryInputError(
      'invalid-parameter',
      parameter,
      `must be at most ${MAX_FIELD_CHARS} characters`,
    );
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(value)) throw new QueryInputError('invalid-parameter', parameter, 'must not contain NUL');
  return value;
}

export function identifiers(parameter: string, value: unknown, max = MAX_SUBJECTS): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max)
    throw new QueryInputError('invalid-parameter', parameter, `must list 1 to ${max} values`);
  return [...new Set(value.map((v, i) => identifier(`${parameter}[${i}]`, v)))];
}

export function pageSize(value: unknown): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE)
    throw new QueryInputError('invalid-parameter', 'limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  return value;
}

/** An instant (Date or RFC 3339 text), or null when absent. */
export function instant(parameter: string, value: unknown): Date | null {
  if (value === undefined || value === null) return null;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' && value.length <= 40 && /^\d{4}-\d{2}-\d{2}/.test(value)
        ? Date.parse(value)
        : NaN;
  if (
    !Number.isFinite(ms) ||
    ms < Date.parse('0001-01-01T00:00:00Z') ||
    ms > Date.parse('9999-12-31T23:59:59Z')
  )
    throw new QueryInputError('invalid-parameter', parameter, 'must be an RFC 3339 date-time');
  return new Date(ms);
}

/** A range whose end is not before its start. */
export function timeRange(from: unknown, to: unknown): { from: Date | null; to: Date | null } {
  const range = { from: instant('from', from), to: instant('to', to) };
  if (range.from && range.to && range.to < range.from)
    throw new QueryInputError('invalid-parameter', 'to', 'must not be before from');
  return range;
}

/** A day range for statistics: both ends required, at most {@link MAX_STAT_DAYS} days. */
export function dayRange(from: unknown, to: unknown): { from: string; to: string } {
  const { from: f, to: t } = timeRange(from, to);
  if (f === null || t === null)
    throw new QueryInputError('invalid-parameter', 'from', 'from and to are required');
  if (t.getTime() - f.getTime() > MAX_STAT_DAYS * 86_400_000)
    throw new QueryInputError('invalid-parameter', 'to', `the range may cover at most ${MAX_STAT_DAYS} days`);
  return { from: f.toISOString().slice(0, 10), to: t.toISOString().slice(0, 10) };
}

export function kinds(value: unknown): StoredKind[] | null {
  if (value === undefined || value === null) return null;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((k) => typeof k === 'string' && (STORED_KINDS as readonly string[]).includes(k))
  )
    throw new QueryInputError(
      'invalid-parameter',
      'kinds',
      `must list kinds among ${STORED_KINDS.join(', ')}`,
    );
  return [...new Set(value as StoredKind[])];
}
