import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { CONSENT_SETTINGS } from './consent.constants';
import { type ConsentSettings } from './consent.settings';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The ledger endpoints' credential: `Authorization: Bearer <CONSENT_ADMIN_API_KEY>`. Compared as
 * SHA-256 digests in constant time (the key's length does not leak either). No key configured:
 * 503, closed. A stopgap until the audit service's auditor roles exist.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(CONSENT_SETTINGS) settings: ConsentSettings) {
    this.expected =
      settings.CONSENT_ADMIN_API_KEY === undefined ? null : digest(settings.CONSENT_ADMIN_API_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === null)
      throw new ServiceUnavailableException(
        'the ledger endpoints are closed: CONSENT_ADMIN_API_KEY is not set',
      );
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
    if (match === null || !timingSafeEqual(digest(match[1]!), this.expected))
      throw new UnauthorizedException('send Authorization: Bearer <admin API key>');
    return true;
  }
}
