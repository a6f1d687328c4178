import { type Command } from 'commander';
import { engagementClaimsProblem, engagementKeys, mintEngagementToken } from '@app/contracts';
import type { CommandOutput } from './validate.command';

/** The variable holding the secret the gateway reads pixel and click tokens with. */
export const ENGAGEMENT_SECRET_VARIABLE = 'GATEWAY_ENGAGEMENT_TOKEN_SECRET';

/** Options of `govern token`. */
export interface TokenOptions {
  readonly campaign: string;
  readonly recipient: string;
  readonly link?: string;
  /** Mint the List-Unsubscribe token instead (keys of their own: it records no open). */
  readonly unsubscribe?: boolean;
}

/**
 * Mints a pixel (and, with a link, a click) token for the e-mail tool, with the secret from the
 * environment: never from an argument, which other users of the machine can see. Prints the token
 * and the gateway paths that carry it; errors name the option, never its value.
 */
export function tokenCommand(options: TokenOptions, env: NodeJS.ProcessEnv): CommandOutput {
  const secret = env[ENGAGEMENT_SECRET_VARIABLE];
  if (secret === undefined || secret === '')
    return {
      exitCode: 2,
      lines: [`${ENGAGEMENT_SECRET_VARIABLE}: required (the gateway's token secret, base64)`],
    };
  const key = Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length < 32)
    return { exitCode: 2, lines: [`${ENGAGEMENT_SECRET_VARIABLE}: must be base64 of at least 32 bytes`] };
  const claims = {
    campaignId: options.campaign,
    subjectKey: options.recipient,
    ...(options.link === undefined ? {} : { link: options.link }),
  };
  const problem = engagementClaimsProblem(claims);
  if (problem !== null)
    return {
      exitCode: 2,
      lines: [
        problem
          .replace(/^campaignId/, '--campaign')
          .replace(/^subjectKey/, '--recipient')
          .replace(/^link/, '--link'),
      ],
    };
  if (options.unsubscribe === true) {
    if (options.link !== undefined) return { exitCode: 2, lines: ['--link: not with --unsubscribe'] };
    const token = mintEngagementToken(engagementKeys(key, 'unsubscribe'), claims);
    return { exitCode: 0, lines: [`token: ${token}`, `unsubscribe: /v1/unsubscribe/${token}`] };
  }
  const token = mintEngagementToken(engagementKeys(key), claims);
  return {
    exitCode: 0,
    lines: [
      `token: ${token}`,
      `pixel: /v1/pixel/${token}.gif`,
      ...(options.link === undefined ? [] : [`click: /v1/click/${token}`]),
    ],
  };
}

/** Registers `govern token`. */
export function registerTokenCommand(program: Command, finish: (output: CommandOutput) => void): void {
  program
    .command('token')
    .requiredOption('--campaign <id>', 'campaign id (no personal data)')
    .requiredOption('--recipient <key>', 'the recipient as the subject key the engine uses')
    .option('--link <url>', 'the target of a tracked link (its host must be on GATEWAY_CLICK_HOSTS)')
    .option('--unsubscribe', 'mint the List-Unsubscribe (RFC 8058 one-click) token instead')
    .description(
      `mint an open pixel / tracked link / unsubscribe token for the gateway (secret from ${ENGAGEMENT_SECRET_VARIABLE})`,
    )
    .action((o: TokenOptions) => finish(tokenCommand(o, process.env)));
}
