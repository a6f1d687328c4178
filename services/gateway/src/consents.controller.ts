import { Controller, HttpCode, Inject, Param, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway.runtime';
import { GatewayError } from './http/gateway-error';
import { header, rateLimit } from './http/request-guards';
import { ERROR_SCHEMA } from './http/openapi-schemas';
import { CONSENT_ADAPTERS, type CaptureOutcome } from './ingest/consent-capture';

/** Largest consent callback body: a TC string with every segment fits many times over. */
const MAX_CONSENT_BODY = 16 * 1024;

/** `POST /v1/consents/:adapter`: banner and consent platform callbacks from the browser. */
@ApiTags('consents')
@Controller('v1/consents')
export class ConsentsController {
  constructor(@Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime) {}

  @Post(':adapter')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Record a banner choice from the browser as consent evidence',
    description:
      'Takes no secret. The browser asserts its device identifier and its choice; the subject of the evidence is the ' +
      'device. A signed-in person is named only by the site-signed subjectToken. The server receive time is the ' +
      'evidence time. Sec-GPC: 1 also records a GPC withdrawal of the purposes the policy lists.',
  })
  @ApiParam({ name: 'adapter', enum: [...CONSENT_ADAPTERS] })
  @ApiHeader({ name: 'Sec-GPC', required: false, description: '1: Global Privacy Control' })
  @ApiBody({ schema: { $ref: '#/components/schemas/ConsentCallback' } })
  @ApiResponse({ status: 202, description: 'Evidence produced and acknowledged: {evidenceIds, leftOut}' })
  @ApiResponse({
    status: 400,
    description: 'Malformed request; the message names the field',
    schema: ERROR_SCHEMA,
  })
  @ApiResponse({ status: 401, description: 'subjectToken invalid or expired', schema: ERROR_SCHEMA })
  @ApiResponse({
    status: 422,
    description: 'The adapter refused the signal (code and path)',
    schema: ERROR_SCHEMA,
  })
  @ApiResponse({
    status: 503,
    description: 'The broker did not acknowledge: nothing recorded, send again',
    schema: ERROR_SCHEMA,
  })
  capture(
    @Param('adapter') adapter: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
  ): Promise<CaptureOutcome> {
    if ((request.rawBody?.length ?? 0) > MAX_CONSENT_BODY)
      throw new GatewayError(
        413,
        'body-too-large',
        `a consent callback is at most ${MAX_CONSENT_BODY} bytes`,
      );
    rateLimit(this.runtime, 'consents', 'consents');
    return this.runtime.consents.capture({
      adapter,
      body: request.body,
      gpc: header(request.headers['sec-gpc']),
      nowMs: this.runtime.nowMs(),
    });
  }
}
