import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  type RawBodyRequest,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway.runtime';
import { GatewayError } from './http/gateway-error';
import { ERROR_SCHEMA } from './http/openapi-schemas';
import { authenticate, rateLimit } from './http/request-guards';
import { type FormOutcome } from './ingest/form-capture';

/** Largest form body: a preference centre with every purpose and scope fits many times over. */
const MAX_FORM_BODY = 32 * 1024;

const FORMS = ['signup', 'checkout', 'preferences', 'objection'] as const;
type FormName = (typeof FORMS)[number];

const FORM_BODIES: Record<FormName, string> = {
  signup:
    '{subjectKey, formVersion, textVersion, language, action, purposes, scopes?, url?}: the sign-up as shown and ' +
    'submitted. On a double opt-in form the answer carries the confirmation link token to e-mail.',
  checkout:
    '{subjectKey, formVersion, textVersion, language?, orderId?, saleCompleted, productGroups, optOutBox: ' +
    'unticked|ticked|not-shown}: the opt-out notice exactly as shown at checkout (R15).',
  preferences:
    '{subjectKey, formVersion?, grants?: [sign-up fields], withdrawals?: [{all} | {purposes?, marketing?: ' +
    '{brands?, channels?, productGroups?}}]}: one save of the preference centre (R18).',
  objection:
    '{subjectKey, channel: web|email-reply|customer-service|phone|letter|app|store}: an objection to direct ' +
    'marketing received by any channel (Art. 21(2), R19).',
};

const NO_CACHE = { 'cache-control': 'no-store', 'content-type': 'text/html; charset=utf-8' };
/** The page behind the confirmation link: a button, because link scanners open links (a GET changes nothing). */
const CONFIRM_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Confirm</title></head><body>' +
  '<form method="post"><input type="hidden" name="confirm" value="yes"><p>Confirm your sign-up to our newsletter?</p><button type="submit">Confirm</button></form>' +
  '</body></html>';
const DONE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Confirmed</title></head><body>' +
  '<p>Thank you, your sign-up is confirmed. Every e-mail has a link to unsubscribe.</p></body></html>';
const INVALID_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Confirm</title></head><body>' +
  '<p>This confirmation link is not valid or has expired. Please sign up again.</p></body></html>';

/**
 * `POST /v1/forms/:source/:form`: the site's forms, sent by the site's backend (server to server),
 * authenticated as a declared source like `/v1/events/:source`. Why not from the browser: these
 * forms name a customer, and a browser may never assert a customer id.
 */
@ApiTags('forms')
@Controller('v1/forms')
export class FormsController {
  constructor(@Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime) {}

  @Post(':source/:form')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Record a form submission (sign-up, checkout notice, preference centre, objection) as consent evidence',
    description:
      'Server to server, with the source key or signature. Each piece of evidence is read and assessed by the core ' +
      'as the engine will read it before it is produced; a grant the core refuses is a 422 naming the rule. The ' +
      'server receive time is the evidence time. 202 only after the broker acknowledged. Bodies: ' +
      Object.entries(FORM_BODIES)
        .map(([form, body]) => `${form}: ${body}`)
        .join(' '),
  })
  @ApiParam({
    name: 'source',
    description: 'A declared source with a key or secret (the site backend or CRM)',
  })
  @ApiParam({ name: 'form', enum: [...FORMS] })
  @ApiHeader({ name: 'X-Api-Key', required: false, description: 'The source key (key sources)' })
  @ApiHeader({ name: 'X-Gateway-Timestamp', required: false, description: 'Unix seconds (signing sources)' })
  @ApiHeader({
    name: 'X-Gateway-Signature',
    required: false,
    description: 'v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> (signing sources)',
  })
  @ApiBody({ schema: { type: 'object' } })
  @ApiResponse({
    status: 202,
    description: 'Evidence produced and acknowledged: {evidenceIds, confirmations?}',
  })
  @ApiResponse({
    status: 400,
    description: 'Malformed body; the message names the field',
    schema: ERROR_SCHEMA,
  })
  @ApiResponse({
    status: 401,
    description: 'No key, wrong key, bad or replayed signature',
    schema: ERROR_SCHEMA,
  })
  @ApiResponse({ status: 404, description: 'Unknown source or form', schema: ERROR_SCHEMA })
  @ApiResponse({
    status: 422,
    description: 'The core refuses the grant (code: the rule, e.g. R1, R15, R17)',
    schema: ERROR_SCHEMA,
  })
  @ApiResponse({
    status: 503,
    description: 'The broker did not acknowledge: nothing recorded, send again',
    schema: ERROR_SCHEMA,
  })
  submit(
    @Param('source') source: string,
    @Param('form') form: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
  ): Promise<FormOutcome> {
    if (!this.runtime.policy.sources.has(source))
      throw new GatewayError(
        404,
        'unknown-source',
        'source: not declared in the policy (path /v1/forms/<source>/<form>)',
      );
    if (!(FORMS as readonly string[]).includes(form))
      throw new GatewayError(404, 'unknown-form', `form: one of ${FORMS.join(', ')}`);
    if ((request.rawBody?.length ?? 0) > MAX_FORM_BODY)
      throw new GatewayError(413, 'body-too-large', `a form body is at most ${MAX_FORM_BODY} bytes`);
    authenticate(this.runtime, source, request.headers, request.rawBody ?? Buffer.alloc(0), 'forms');
    rateLimit(this.runtime, 'forms', `forms\u0000${source}`);
    const now = this.runtime.nowMs();
    const forms = this.runtime.forms;
    switch (form as FormName) {
      case 'signup':
        return forms.signUp(source, request.body, now);
      case 'checkout':
        return forms.checkout(source, request.body, now);
      case 'preferences':
        return forms.preferences(source, request.body, now);
      case 'objection':
        return forms.objection(source, request.body, now);
    }
  }
}

/** `/v1/confirm/:token`: the double opt-in confirmation link the site e-mails after a sign-up. */
@ApiTags('forms')
@Controller('v1/confirm')
export class ConfirmController {
  constructor(@Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime) {}

  @Get(':token')
  @ApiOperation({ summary: 'The page behind the confirmation link: a button that posts the confirmation' })
  @ApiParam({ name: 'token', description: 'A confirmation token from the sign-up answer' })
  async page(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const valid = this.runtime.forms.confirmationValid(token, this.runtime.nowMs());
    await reply
      .status(valid ? 200 : 400)
      .headers(NO_CACHE)
      .send(valid ? CONFIRM_PAGE : INVALID_PAGE);
  }

  @Post(':token')
  @ApiOperation({
    summary: 'Confirm a double opt-in sign-up (R14)',
    description:
      'Records the double opt-in confirmation of the sign-up the token names, at the receive time. The token is ' +
      'HMAC-protected, opaque and expires with the policy confirmation window. Answered after the broker acknowledged.',
  })
  @ApiResponse({ status: 200, description: 'Confirmation recorded' })
  @ApiResponse({ status: 400, description: 'Not a valid, unexpired confirmation link', schema: ERROR_SCHEMA })
  @ApiResponse({
    status: 503,
    description: 'The broker did not acknowledge: send again',
    schema: ERROR_SCHEMA,
  })
  async confirm(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    rateLimit(this.runtime, 'forms', 'confirm');
    const outcome = await this.runtime.forms.confirm(token, this.runtime.nowMs());
    // A person posting the page's form sees a page; a program reads the evidence id.
    if ((request.headers.accept ?? '').includes('text/html'))
      await reply.status(200).headers(NO_CACHE).send(DONE_PAGE);
    else await reply.status(200).send(outcome);
  }
}
