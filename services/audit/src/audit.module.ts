import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { createDataSource, DatabaseReadiness } from '@app/persistence';
import { AccessGuard } from './access/access.guard';
import { accessProviders } from './access/access.providers';
import { Credentials } from './access/credentials';
import { PersonAccessLog } from './access/person-access.log';
import { AdminController } from './api/admin.controller';
import { ApiErrorFilter } from './api/api-error.filter';
import { LineageController } from './api/lineage.controller';
import { PersonsController } from './api/persons.controller';
import { ReportsController } from './api/reports.controller';
import { auditValidationPipe } from './api/validation';
import { AUDIT_DATA_SOURCE, AUDIT_LINEAGE, AUDIT_POOL } from './audit.constants';
import { type AuditSettings } from './audit.settings';
import { ConsoleController } from './console/console.controller';
import { PolicyVersions } from './lineage/policy-versions';
import { StoreLineageReader } from './lineage/store-lineage.reader';
import { AccessExportQuery } from './queries/access-export.query';
import { ConsentBehindQuery } from './queries/consent-behind.query';
import { EventExplanation } from './queries/event-explanation.query';
import { PersonSearch } from './queries/person-search.query';
import { StatisticsQuery } from './queries/statistics.query';
import { SubjectTimeline } from './queries/subject-timeline.query';
import { AuditSinkService } from './sink/audit-sink.service';
import { MetricsController } from './sink/metrics.controller';
import { AuditStoreModule } from './store/audit-store.module';

/** Closes the access tables' connection pool on shutdown. */
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(AUDIT_DATA_SOURCE) private readonly db: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy();
  }
}

/**
 * The audit service: the lineage sink (lineage topics → PostgreSQL) and its metrics, the auditor
 * API (access control, the auditor's questions) and console, and liveness/readiness.
 */
@Module({})
export class AuditModule {
  static forSettings(settings: AuditSettings): DynamicModule {
    const store = AuditStoreModule.forSettings(settings);
    const sink: DynamicModule = {
      module: class AuditSinkModule {},
      imports: [store],
      providers: [AuditSinkService],
      exports: [AuditSinkService],
    };
    const schema = settings.AUDIT_DATABASE_SCHEMA;
    return {
      module: AuditModule,
      imports: [
        store,
        sink,
        HealthModule.forRoot({
          imports: [sink],
          inject: [AuditSinkService],
          useFactory: (sinkService: AuditSinkService) => [
            new KafkaReadiness(kafkaClientSettings(settings)),
            new DatabaseReadiness(createDataSource({ url: settings.DATABASE_URL })),
            sinkService,
          ],
        }),
      ],
      controllers: [
        MetricsController,
        PersonsController,
        LineageController,
        ReportsController,
        AdminController,
        ConsoleController,
      ],
      providers: [
        {
          provide: AUDIT_DATA_SOURCE,
          // Connected lazily by the first query: the service starts (and reports not-ready) without a database.
          useFactory: () => createDataSource({ url: settings.DATABASE_URL, schema }),
        },
        DatabaseCloser,
        ...accessProviders(settings),
        {
          provide: AUDIT_LINEAGE,
          inject: [AUDIT_POOL],
          useFactory: (pool: Pool) => new StoreLineageReader(pool),
        },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        { provide: APP_PIPE, useFactory: auditValidationPipe },
        Credentials,
        PersonAccessLog,
        PolicyVersions,
        PersonSearch,
        SubjectTimeline,
        EventExplanation,
        ConsentBehindQuery,
        AccessExportQuery,
        StatisticsQuery,
      ],
    };
  }
}
