import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { GatewayModule } from './gateway.module';
import { GATEWAY_RUNTIME, type GatewayOverrides, type GatewayRuntime } from './gateway.runtime';
import { type GatewaySettings } from './gateway.settings';
import { errorAnswer, GatewayErrorFilter } from './http/gateway-error';
import { COMPONENT_SCHEMAS } from './http/openapi-schemas';

/** CloudEvents media types, parsed as JSON like application/json. */
const CLOUDEVENT_TYPES = ['application/cloudevents+json', 'application/cloudevents-batch+json'];

const SILENT: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };

/**
 * Builds the gateway as a Nest application on Fastify (not yet listening): body limit, raw bodies
 * for signatures, `{code, message}` errors for every failure (Fastify's own included), request
 * metrics by route pattern, and the OpenAPI description at /docs.
 */
export async function createGatewayApp(
  settings: GatewaySettings,
  options: GatewayOverrides & { logger?: LoggerService } = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? SILENT;
  const adapter = new FastifyAdapter({
    bodyLimit: settings.GATEWAY_MAX_BODY_BYTES,
    trustProxy: false,
    // Pixel and click tokens are longer than Fastify's default of 100 characters per path parameter.
    routerOptions: { maxParamLength: 4200 },
  });
  const fastify = adapter.getInstance();
  fastify.addContentTypeParser(CLOUDEVENT_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    (request as FastifyRequest & { rawBody?: Buffer }).rawBody = body as Buffer;
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')) as unknown);
    } catch {
      done(
        Object.assign(new Error('not json'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }),
        undefined,
      );
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forSettings(settings, options),
    adapter,
    {
      logger,
      rawBody: true,
      bufferLogs: false,
    },
  );
  const runtime = app.get<GatewayRuntime>(GATEWAY_RUNTIME);
  app.useGlobalFilters(new GatewayErrorFilter(logger));
  // RFC 8058 lets a mail client post the one-click body as multipart: read it as text, unparsed.
  fastify.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  // Bodies are JSON only, except the unsubscribe form and the confirmation page's button (form or
  // no body): Fastify would otherwise also parse text/plain (and Nest url-encoded forms) everywhere.
  fastify.addHook('onRequest', (request, reply, done) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const form =
      (request.url.startsWith('/v1/unsubscribe/') &&
        (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data')) ||
      (request.url.startsWith('/v1/confirm/') &&
        (type === 'application/x-www-form-urlencoded' || type === ''));
    if (
      request.method === 'POST' &&
      !form &&
      type !== 'application/json' &&
      !CLOUDEVENT_TYPES.includes(type)
    ) {
      const answer = errorAnswer({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
      void reply.status(answer.status).send(answer.body);
      return;
    }
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    runtime.metrics.requests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status_code: String(reply.statusCode),
    });
    done();
  });
  // Browser callbacks only: no credentials (cookies) and only the consent endpoints' method and header.
  if (settings.GATEWAY_CORS_ORIGINS !== undefined)
    app.enableCors({
      origin: settings.GATEWAY_CORS_ORIGINS.split(','),
      methods: ['POST'],
      allowedHeaders: ['content-type'],
      credentials: false,
      maxAge: 600,
    });
  if (settings.GATEWAY_DOCS === 'true') {
    const config = new DocumentBuilder()
      .setTitle('Consent governance gateway')
      .setDescription('HTTP ingest of source events, consent callbacks, the open pixel and tracked links')
      .setVersion('1')
      .build();
    const document = SwaggerModule.createDocument(app, config);
    document.components = {
      ...document.components,
      schemas: { ...document.components?.schemas, ...COMPONENT_SCHEMAS },
    };
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  }
  app.enableShutdownHooks();
  return app;
}
