import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
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
import { AUDIT_DATA_SOURCE, AUDIT_LINEAGE } from './audit.constants';
import { type AuditSettings } from './audit.settings';
import { ConsoleController } from './console/console.controller';
import { PolicyVersions } from './lineage/policy-versions';
import { StoreLineageReader } from './lineage/store-lineage.reader';
import { AccessExportQuery } from './queries/access-export.query';
import { ConsentBehindQuery } from './queries/consent-behind.query';
import { EventExplanation } from './queries/event-explanation.query';
import { FormRecall } from './queries/form-recall.query';
import { PersonSearch } from './queries/person-search.query';
import { StatisticsQuery } from './queries/statistics.query';
import { SubjectTimeline } from './queries/subject-timeline.query';

/** Where the module's tables are: tests give a fresh schema; services use the search path. */
export interface AuditModuleOptions {
  readonly schema?: string;
}

/** Closes the service's database pool on shutdown. */
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(AUDIT_DATA_SOURCE) private readonly db: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy();
  }
}

/** Lineage sink and auditor API: access control, the auditor's questions, the console, health. */
@Module({})
export class AuditModule {
  static forSettings(settings: AuditSettings, options: AuditModuleOptions = {}): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        HealthModule.forRoot({
          useFactory: () => [
            new KafkaReadiness(kafkaClientSettings(settings)),
            new DatabaseReadiness(createDataSource({ url: settings.DATABASE_URL, schema: options.schema })),
          ],
        }),
      ],
      controllers: [
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
          useFactory: () => createDataSource({ url: settings.DATABASE_URL, schema: options.schema }),
        },
        DatabaseCloser,
        ...accessProviders(settings),
        {
          provide: AUDIT_LINEAGE,
          inject: [AUDIT_DATA_SOURCE],
          useFactory: (db: DataSource) => new StoreLineageReader(db),
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
        FormRecall,
        AccessExportQuery,
        StatisticsQuery,
      ],
    };
  }
}
