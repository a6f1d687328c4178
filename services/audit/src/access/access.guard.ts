import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { type AuditRole, roleCovers } from '@app/persistence';
import { ApiError } from '../api/api-error';
import { Credentials } from './credentials';
import { type Principal } from './principal';

const REQUIRES = 'audit:requires-role';
const OPEN = 'audit:open';

/** The least role a route needs (auditor ⊂ dpo ⊂ admin). A route without one is refused to all. */
export const Requires = (role: AuditRole): MethodDecorator & ClassDecorator => SetMetadata(REQUIRES, role);
/** A route that holds no data (the console's static files) and needs no credentials. */
export const Open = (): MethodDecorator & ClassDecorator => SetMetadata(OPEN, true);

/** The principal the guard attached to a request. */
export function principalOf(request: Request): Principal {
  const p = (request as Request & { principal?: Principal }).principal;
  if (p === undefined)
    throw new ApiError('internal', 'internal error: no principal on an authorised request');
  return p;
}

/**
 * Deny by default: every route needs credentials and a role declared with {@link Requires}, except
 * the health checks, `/metrics` and routes marked {@link Open}. A route that declares neither answers 403 to
 * everyone, so a forgotten decorator never opens data.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: Credentials,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(OPEN, targets) === true) return true;
    // Health and the sink's Prometheus figures hold no personal data (see docs/security.md).
    if (request.path.startsWith('/health/') || request.path === '/metrics') return true;
    const who = await this.credentials.principal(request.headers.authorization);
    if (who === 'missing')
      throw new ApiError('credentials-missing', 'send Authorization: Bearer <API key or OIDC token>');
    if (who === 'malformed')
      throw new ApiError(
        'credentials-malformed',
        'the Authorization header must be "Bearer <API key or OIDC token>"',
      );
    if (who === 'invalid')
      throw new ApiError(
        'credentials-invalid',
        'the API key or token is not valid (revoked, expired, or not issued for this API)',
      );
    const needed = this.reflector.getAllAndOverride<AuditRole | undefined>(REQUIRES, targets);
    if (needed === undefined || !roleCovers(who.role, needed))
      throw new ApiError(
        'role-insufficient',
        `this route needs the role ${needed ?? 'none grants'}; ask an admin for a key with it`,
      );
    (request as Request & { principal?: Principal }).principal = who;
    return true;
  }
}
