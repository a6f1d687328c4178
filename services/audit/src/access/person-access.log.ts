import { Inject, Injectable } from '@nestjs/common';
import { type Request } from 'express';
import { AccessLogRepository } from '@app/persistence';
import { AUDIT_ACCESS_LOG } from '../audit.constants';
import { principalOf } from './access.guard';

/**
 * Records a request that touches persons, before any of their data is returned: if the log cannot
 * be written, the request fails (no unaccounted access). The endpoint is the route template
 * (`GET /v1/persons/:subject/timeline`), so no identifier ends up in the log through a URL.
 */
@Injectable()
export class PersonAccessLog {
  constructor(@Inject(AUDIT_ACCESS_LOG) private readonly log: AccessLogRepository) {}

  async record(request: Request, subjects: readonly string[]): Promise<void> {
    const who = principalOf(request);
    const route = (request.route as { path?: unknown } | undefined)?.path;
    await this.log.append({
      principal: who.id,
      role: who.role,
      endpoint: `${request.method} ${typeof route === 'string' ? route : '?'}`,
      subjects: [...new Set(subjects)].sort(),
    });
  }
}
