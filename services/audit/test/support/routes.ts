import { type AuditRole } from '@app/persistence';

/** A lineage pseudonym under the demo key id that no record has. */
export const SOME_SUBJECT = `demo:${'0'.repeat(32)}`;

/** One route of the auditor API, called with valid input, and the least role it needs. */
export interface RouteCase {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** The route template as OpenAPI lists it. */
  readonly template: string;
  readonly path: string;
  readonly body?: unknown;
  readonly role: AuditRole;
  /** Whether the route touches persons (and must be access-logged). */
  readonly person: boolean;
}

/** Every route of /v1: the access test checks this list against the OpenAPI description. */
export const ROUTES: readonly RouteCase[] = [
  {
    method: 'POST',
    template: '/v1/persons/search',
    path: '/v1/persons/search',
    body: { identifier: 'cust-00001' },
    role: 'auditor',
    person: true,
  },
  {
    method: 'GET',
    template: '/v1/persons/{subject}/timeline',
    path: `/v1/persons/${SOME_SUBJECT}/timeline`,
    role: 'auditor',
    person: true,
  },
  {
    method: 'GET',
    template: '/v1/persons/{subject}/access-export',
    path: `/v1/persons/${SOME_SUBJECT}/access-export`,
    role: 'dpo',
    person: true,
  },
  {
    method: 'GET',
    template: '/v1/events/{eventId}/explain',
    path: '/v1/events/evt-1-1/explain',
    role: 'auditor',
    person: true,
  },
  {
    method: 'GET',
    template: '/v1/evidence/{evidenceId}',
    path: '/v1/evidence/ev-ce-1-2',
    role: 'auditor',
    person: true,
  },
  {
    method: 'GET',
    template: '/v1/recalls',
    path: '/v1/recalls?formVersion=banner-v1',
    role: 'auditor',
    person: true,
  },
  { method: 'GET', template: '/v1/reports/art30', path: '/v1/reports/art30', role: 'auditor', person: false },
  {
    method: 'GET',
    template: '/v1/statistics/decisions',
    path: '/v1/statistics/decisions',
    role: 'auditor',
    person: false,
  },
  {
    method: 'GET',
    template: '/v1/statistics/dead-letters',
    path: '/v1/statistics/dead-letters',
    role: 'auditor',
    person: false,
  },
  {
    method: 'GET',
    template: '/v1/admin/access-log',
    path: '/v1/admin/access-log',
    role: 'admin',
    person: false,
  },
  { method: 'GET', template: '/v1/admin/keys', path: '/v1/admin/keys', role: 'admin', person: false },
  {
    method: 'POST',
    template: '/v1/admin/keys',
    path: '/v1/admin/keys',
    body: { role: 'auditor', label: 'made by a test' },
    role: 'admin',
    person: false,
  },
  {
    method: 'DELETE',
    template: '/v1/admin/keys/{keyId}',
    path: '/v1/admin/keys/0123456789abcdef',
    role: 'admin',
    person: false,
  },
];
