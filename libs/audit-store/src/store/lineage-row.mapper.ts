import { LINEAGE_VERSION, type LineageRecord } from '@app/contracts';
import { type LineageRowInput, type RecordCoordinates, type UnreadableCode } from './lineage-row';

/** Longest identifier (subject, event id, evidence id, version, …) the store indexes. */
export const MAX_FIELD_CHARS = 1024;
/** Most evidence ids one record may list. */
const MAX_LIST = 4096;
// PostgreSQL's timestamptz holds years up to 294276; keep to four-digit years.
const MIN_TIME = Date.parse('0001-01-01T00:00:00Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59Z');

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isIndexList = (v: unknown): boolean =>
  Array.isArray(v) && v.every((n) => Number.isInteger(n) && (n as number) >= 0);

/** Whether a parsed record has the shape of a lineage v2 record of a known kind. */
function isLineageV2(v: unknown): v is LineageRecord {
  if (!isObject(v) || v.lineageVersion !== LINEAGE_VERSION || !isString(v.policyVersion)) return false;
  if (!isNullableString(v.eventId) || !isNullableString(v.subject) || !isNullableString(v.time)) return false;
  switch (v.kind) {
    case 'decision':
      return (
        isString(v.eventId) &&
        isString(v.subject) &&
        isString(v.time) &&
        isString(v.source) &&
        isString(v.type) &&
        isStringList(v.paths) &&
        (v.evidence === undefined || isStringList(v.evidence)) &&
        (v.bases === undefined || isObject(v.bases)) &&
        isObject(v.destinations) &&
        Object.values(v.destinations).every(
          (d) =>
            isObject(d) &&
            (d.f === undefined || isIndexList(d.f)) &&
            (d.p === undefined || isIndexList(d.p)) &&
            (d.w === undefined || (isObject(d.w) && Object.values(d.w).every(isIndexList))),
        )
      );
    case 'consent-assessment':
      return (
        isString(v.evidenceId) &&
        isString(v.evidenceKind) &&
        typeof v.valid === 'boolean' &&
        isString(v.reason) &&
        isString(v.rule) &&
        isStringList(v.purposes) &&
        (v.formVersion === undefined || isString(v.formVersion)) &&
        (v.confirms === undefined || isString(v.confirms))
      );
    case 'suppression':
      return (
        isString(v.destination) && isStringList(v.purposes) && isString(v.rule) && isString(v.evidenceId)
      );
    case 'identity-link':
      return isString(v.alias) && typeof v.linked === 'boolean';
    case 'dead-letter':
      return isString(v.code) && isString(v.reason);
    case 'aggregate-count':
      return (
        isString(v.aggregate) &&
        isString(v.campaign) &&
        isString(v.day) &&
        typeof v.count === 'number' &&
        typeof v.minimumCount === 'number' &&
        v.rule === 'R23'
      );
    default:
      return false;
  }
}

/** Text PostgreSQL refuses in text and jsonb: NUL, and UTF-16 surrogates not in a pair. */
function unstorable(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /\u0000|\\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** Escaped lone surrogates in JSON text (`\ud800`): jsonb refuses them too. */
function escapedLoneSurrogate(s: string): boolean {
  return /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(
    s,
  );
}

const tooLong = (s: string | null | undefined): boolean =>
  typeof s === 'string' && s.length > MAX_FIELD_CHARS;

/** The record's time when it has a valid one in the store's range, else the Kafka timestamp. */
function timeOf(time: string | null, kafkaTimestamp: string): Date {
  const own = time === null ? NaN : Date.parse(time);
  if (Number.isFinite(own) && own >= MIN_TIME && own <= MAX_TIME) return new Date(own);
  const ts = Number(kafkaTimestamp);
  return new Date(Number.isFinite(ts) && ts >= 0 && ts <= MAX_TIME ? ts : 0);
}

/** A row that keeps only where the record was and why it could not be read. */
export function unreadableRow(
  at: RecordCoordinates,
  kafkaTimestamp: string,
  code: UnreadableCode,
): LineageRowInput {
  return {
    ...at,
    time: timeOf(null, kafkaTimestamp),
    kind: 'unreadable',
    subject: null,
    eventId: null,
    policyVersion: null,
    evidenceIds: [],
    formVersion: null,
    forwardedTo: [],
    alias: null,
    code,
    record: null,
    json: null,
  };
}

/** Destinations a decision record forwarded something to, as-is or pseudonymised. */
function forwardedTo(record: LineageRecord): string[] {
  if (record.kind !== 'decision') return [];
  return Object.entries(record.destinations)
    .filter(([, d]) => (d.f?.length ?? 0) > 0 || (d.p?.length ?? 0) > 0)
    .map(([name]) => name);
}

function evidenceIds(record: LineageRecord): string[] {
  switch (record.kind) {
    case 'decision':
      return [...new Set(record.evidence ?? [])];
    case 'consent-assessment':
      return record.confirms === undefined ? [record.evidenceId] : [record.evidenceId, record.confirms];
    case 'suppression':
      return [record.evidenceId];
    default:
      return [];
  }
}

/**
 * Maps one record of the lineage topic to its row. Never throws and never copies a value of an
 * unreadable record: what is not a storable lineage v2 record becomes an `unreadable` row with its
 * coordinates and a code.
 */
export function lineageRow(
  at: RecordCoordinates,
  kafkaTimestamp: string,
  value: Buffer | null,
): LineageRowInput {
  if (value === null) return unreadableRow(at, kafkaTimestamp, 'not-json');
  const text = value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return unreadableRow(at, kafkaTimestamp, 'not-json');
  }
  if (!isLineageV2(parsed)) return unreadableRow(at, kafkaTimestamp, 'not-lineage-v2');
  if (unstorable(text) || escapedLoneSurrogate(text))
    return unreadableRow(at, kafkaTimestamp, 'unstorable-text');
  const record = parsed;
  const ids = evidenceIds(record);
  const formVersion = record.kind === 'consent-assessment' ? (record.formVersion ?? null) : null;
  const alias = record.kind === 'identity-link' ? record.alias : null;
  const to = forwardedTo(record);
  if (
    [record.subject, record.eventId, record.policyVersion, formVersion, alias, ...ids, ...to].some(tooLong) ||
    ids.length > MAX_LIST
  )
    return unreadableRow(at, kafkaTimestamp, 'oversized-field');
  return {
    ...at,
    time: timeOf(record.time, kafkaTimestamp),
    kind: record.kind,
    subject: record.subject,
    eventId: record.eventId,
    policyVersion: record.policyVersion,
    evidenceIds: ids,
    formVersion,
    forwardedTo: to,
    alias,
    code: record.kind === 'dead-letter' ? record.code.slice(0, MAX_FIELD_CHARS) : null,
    record,
    json: text,
  };
}
