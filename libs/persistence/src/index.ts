export {
  createDataSource,
  ensureDatabaseExists,
  ENTITIES,
  MIGRATIONS,
  type DataSourceOptions,
} from './data-source';
export { LineageRecordEntity } from './entities/lineage-record.entity';
export { DatabaseReadiness } from './database-readiness';
