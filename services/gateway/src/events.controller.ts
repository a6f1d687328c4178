import { Controller, HttpCode, Inject, Param, Post, type RawBodyRequest, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway.runtime';
import { GatewayError } from './http/gateway-error';
import { authenticate, rateLimit } from './http/request-guards';
import { ERROR_SCHEMA } from './http/openapi-schemas';

/** `POST /v1/events/:source`: CloudEvents from systems that cannot produce to Kafka themselves. */
@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(@Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime) {}

  @Post(':source')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ingest one CloudEvent or a batch (array) of a declared source',
    description:
      'Each event is checked against the policy (declared source and type, subject, payload schema, size) exactly as ' +
      'the engine checks it, then produced to the source topic (idempotent producer, acks=all). 202 only after the ' +
      'broker acknowledged every new event; a batch is refused whole when one event is invalid. An id accepted within ' +
      'the idempotency window is not produced again (200 when every event was a repeat).',
  })
  @ApiParam({ name: 'source', description: 'A source declared in the policy' })
  @ApiHeader({ name: 'X-Api-Key', required: false, description: 'The source API key (key sources)' })
  @ApiHeader({ name: 'X-Gateway-Timestamp', required: false, description: 'Epoch seconds (signing sources)' })
  @ApiHeader({
    name: 'X-Gateway-Signature',
    required: false,
    description: 'v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> (signing sources)',
  })
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: '#/components/schemas/CloudEvent' },
        { type: 'array', items: { $ref: '#/components/schemas/CloudEvent' } },
      ],
    },
  })
  @ApiResponse({ status: 202, description: 'Produced and acknowledged by the broker' })
  @ApiResponse({ status: 200, description: 'Every event was a repeat of one accepted within the window' })
  @ApiResponse({
    status: 400,
    description: 'An event is invalid; the message names the event and path',
    schema: ERROR_SCHEMA,
  })
  @ApiResponse({
    status: 401,
    description: 'No key, wrong key, bad or replayed signature, expired timestamp',
    schema: ERROR_SCHEMA,
  })
  @ApiResponse({ status: 409, description: 'An id reused with other content', schema: ERROR_SCHEMA })
  @ApiResponse({ status: 413, description: 'Body or batch too large', schema: ERROR_SCHEMA })
  @ApiResponse({ status: 429, description: 'Rate limit of the source', schema: ERROR_SCHEMA })
  @ApiResponse({
    status: 503,
    description: 'The broker did not acknowledge: nothing accepted, send again',
    schema: ERROR_SCHEMA,
  })
  async ingest(
    @Param('source') source: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ accepted: number; duplicates: number }> {
    if (this.runtime.events.topicOf(source) === null)
      throw new GatewayError(
        404,
        'unknown-source',
        'source: not declared in the policy (path /v1/events/<source>)',
      );
    authenticate(this.runtime, source, request.headers, request.rawBody ?? Buffer.alloc(0));
    rateLimit(this.runtime, 'events', `events\u0000${source}`);
    const outcome = await this.runtime.events.ingest(source, request.body);
    void reply.status(outcome.status);
    return { accepted: outcome.accepted, duplicates: outcome.duplicates };
  }
}
