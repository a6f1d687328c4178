export { createDataSource, ensureDatabaseExists, type DataSourceOptions } from './data-source';
export { DatabaseReadiness } from './database-readiness';
export { canonicalJson } from './ledger/canonical-json';
export {
  anchorHash,
  rowHash,
  sha256Text,
  type LedgerAnchor,
  type LedgerRow,
  type LedgerRowContent,
} from './ledger/ledger-row';
export {
  buildLedgerBatch,
  type ChainHead,
  type LedgerInput,
  type SubjectHead,
} from './ledger/ledger-batch.builder';
export {
  verifyLedgerChain,
  type LedgerBreak,
  type LedgerBreakProblem,
  type LedgerVerification,
  type RowWithPrevious,
} from './ledger/ledger-chain.verifier';
export { splitEvidence, type SplitEvidence } from './ledger/evidence-split';
export {
  newSubjectKey,
  openForSubject,
  sealForSubject,
  unwrapSubjectKey,
  type WrappedSubjectKey,
} from './ledger/subject-seal';
export { LedgerWriter, type AppendOutcome, type LedgerBatch } from './ledger/ledger.writer';
export { LedgerReader, storeConsentTexts, subjectChainHolds } from './ledger/ledger.reader';
export { buildConsentReceipt, type ConsentReceipt, type ReceiptRecord } from './ledger/consent-receipt';
export { LEDGER_ENTITIES } from './ledger/ledger.entities';
export { ENTITIES, MIGRATIONS } from './data-source';
export { connected } from './connected';
export {
  AUDIT_ROLES,
  type AuditRole,
  isAuditRole,
  parseApiKey,
  roleCovers,
  sameDigest,
} from './access/api-key';
export { ApiKeyRepository, type ApiKeyListing } from './access/api-key.repository';
export { AccessLogRepository, type AccessLogEntry } from './access/access-log.repository';
