/**
 * The audit service's lineage store: the schema's partitions, the row mapping, the read side the
 * auditor API calls ({@link LineageQueries}), and the sink that consumes the lineage and
 * policy-versions topics into PostgreSQL exactly once.
 */
export { createAuditPool, type AuditPoolOptions } from './store/audit-pool';
export {
  STORED_KINDS,
  type StoredKind,
  type UnreadableCode,
  type RecordCoordinates,
  type LineageRowInput,
} from './store/lineage-row';
export { lineageRow, unreadableRow, MAX_FIELD_CHARS } from './store/lineage-row.mapper';
export { LineageQueries, MAX_EVENT_RECORDS, toLineageRow, type Queryable } from './store/lineage.queries';
export {
  QueryInputError,
  MAX_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  MAX_SUBJECTS,
  MAX_STAT_DAYS,
} from './store/query-input';
export type * from './store/query.types';
export { LineageSink, sinkTopics, type LineageSinkOptions } from './sink/lineage.sink';
export { SinkMetrics } from './sink/sink.metrics';
export {
  LineagePartitions,
  monthStart,
  partitionName,
  type PartitionPolicy,
  type RetentionDays,
} from './store/lineage-partitions';
export { lineageRetention, type LineageRetention } from './sink/lineage-retention';
export { LineageStoreWriter, type StoreBatch, type WriteReport } from './sink/lineage-store.writer';
export { PolicyCache } from './sink/policy-cache';
