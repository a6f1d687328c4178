import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway.runtime';
import { GatewayError } from './http/gateway-error';
import { header } from './http/request-guards';
import { ERROR_SCHEMA } from './http/openapi-schemas';
import { PIXEL_GIF } from './ingest/engagement';

const NO_CACHE = {
  'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
  pragma: 'no-cache',
  expires: '0',
};

/** The consent-gated open pixel and tracked links of e-mails. */
@ApiTags('engagement')
@Controller('v1')
export class EngagementController {
  constructor(@Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime) {}

  @Get('pixel/:file')
  @ApiOperation({
    summary: 'Open pixel: always the same 1×1 GIF; a valid token records email.opened',
    description: 'The engine forwards the open only with engagement-tracking consent (R23).',
  })
  @ApiParam({ name: 'file', description: '<token>.gif' })
  @ApiResponse({ status: 200, description: 'image/gif, never cached' })
  async pixel(
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Over the rate the open is not recorded; the reader still gets the image. Only a GET is an
    // open (a HEAD is a link checker). The answer does not wait for the broker, so a valid and an
    // invalid token answer alike; a failed produce only costs the open (counted in the metrics).
    if (request.method === 'GET' && this.runtime.limit('pixel') === 0 && file.endsWith('.gif'))
      void this.runtime.engagement.opened(
        file.slice(0, -4),
        header(request.headers['user-agent']),
        this.runtime.nowMs(),
      );
    await reply
      .status(200)
      .headers({ ...NO_CACHE, 'content-type': 'image/gif' })
      .send(PIXEL_GIF);
  }

  @Get('click/:token')
  @ApiOperation({
    summary:
      'Tracked link: records email.clicked and redirects to the token target, if it is on the allow-list',
  })
  @ApiResponse({ status: 302, description: 'To the link target' })
  @ApiResponse({
    status: 400,
    description: 'Bad token, or a target not on GATEWAY_CLICK_HOSTS',
    schema: ERROR_SCHEMA,
  })
  async click(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    if (this.runtime.limit('click') > 0)
      throw new GatewayError(429, 'rate-limited', 'too many requests for this endpoint', {
        'retry-after': '1',
      });
    const target = await this.runtime.engagement.clicked(token, this.runtime.nowMs());
    await reply
      .status(302)
      .headers({ ...NO_CACHE, location: target })
      .send();
  }
}
