import { type INestApplication } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Largest JSON body accepted: the biggest legitimate one (a search or a new key) is well under 1 kB. */
export const MAX_BODY = '16kb';

/**
 * What the audit service's HTTP side needs beyond its module: a small body limit, no framework
 * banner, and the OpenAPI description at /docs (JSON at /docs-json). Used by `main.ts` and tests.
 */
export function configureAuditHttp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: MAX_BODY });
  express.disable('x-powered-by');
  const config = new DocumentBuilder()
    .setTitle('Auditor API')
    .setDescription(
      'Why did field X of person Y reach (or not reach) tool Z: decisions rendered from the lineage with rule, purpose, legal basis and the consent behind them. ' +
        'Every route but /health needs `Authorization: Bearer <API key or OIDC token>`. Roles: auditor (read), dpo (also exports), admin (also keys and the access log). ' +
        'Errors are `{code, message}`; every request that touches a person is recorded in the access log.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
}
