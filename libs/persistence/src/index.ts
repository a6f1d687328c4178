export { createDataSource, ensureDatabaseExists, type DataSourceOptions } from './data-source';
export { DatabaseReadiness } from './database-readiness';
