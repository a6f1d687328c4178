import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway.runtime';
import { GatewayError } from './http/gateway-error';
import { ERROR_SCHEMA } from './http/openapi-schemas';
import { rateLimit } from './http/request-guards';

const NO_CACHE = { 'cache-control': 'no-store', 'content-type': 'text/html; charset=utf-8' };

/** The page behind the link: a button, because link scanners open links (a GET changes nothing). */
const CONFIRM_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head><body>' +
  '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">' +
  '<p>Stop all marketing e-mails to this address?</p><button type="submit">Unsubscribe</button></form>' +
  '</body></html>';
const DONE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribed</title></head><body>' +
  '<p>You are unsubscribed. No more marketing e-mails will be sent to this address.</p></body></html>';
const INVALID_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head><body>' +
  '<p>This unsubscribe link is not valid. Please use the link in a more recent e-mail.</p></body></html>';

/** True for the RFC 8058 one-click body, form-encoded or multipart. */
function isOneClick(body: unknown): boolean {
  if (typeof body === 'string') return /name="List-Unsubscribe"\s+One-Click/.test(body.replace(/\r\n/g, ' '));
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click'
  );
}

/** `List-Unsubscribe` links of marketing e-mails (RFC 2369, one-click per RFC 8058). */
@ApiTags('unsubscribe')
@Controller('v1/unsubscribe')
export class UnsubscribeController {
  constructor(@Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime) {}

  @Get(':token')
  @ApiOperation({ summary: 'The page behind the unsubscribe link: a button that posts the one-click form' })
  @ApiParam({ name: 'token', description: 'An unsubscribe token minted by the e-mail tool' })
  async page(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const valid = this.runtime.unsubscribes.valid(token);
    await reply
      .status(valid ? 200 : 400)
      .headers(NO_CACHE)
      .send(valid ? CONFIRM_PAGE : INVALID_PAGE);
  }

  @Post(':token')
  @ApiOperation({
    summary: 'One-click unsubscribe (RFC 8058): withdraws e-mail marketing for the recipient',
    description:
      'Body `List-Unsubscribe=One-Click` (form-encoded or multipart). Answered after the broker acknowledged the ' +
      'withdrawal; the engine then suppresses the person on every destination that relied on e-mail marketing (R18).',
  })
  @ApiResponse({ status: 200, description: 'Withdrawal recorded' })
  @ApiResponse({ status: 400, description: 'Bad token, or not the one-click body', schema: ERROR_SCHEMA })
  @ApiResponse({
    status: 503,
    description: 'The broker did not acknowledge: send again',
    schema: ERROR_SCHEMA,
  })
  async unsubscribe(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    rateLimit(this.runtime, 'unsubscribe', 'unsubscribe');
    if (!isOneClick(request.body))
      throw new GatewayError(400, 'not-one-click', 'the body must be List-Unsubscribe=One-Click (RFC 8058)');
    await this.runtime.unsubscribes.unsubscribe(token, this.runtime.nowMs());
    // A mail client posting one-click reads only the status; a person posting the page's form sees the page.
    const fromPage = (request.headers.accept ?? '').includes('text/html');
    await reply
      .status(200)
      .headers(NO_CACHE)
      .send(fromPage ? DONE_PAGE : '');
  }
}
