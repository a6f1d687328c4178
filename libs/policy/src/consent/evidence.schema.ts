import { CONSENT_EVIDENCE_KINDS } from '@app/contracts/consent-evidence.contract';

/**
 * JSON Schema of the consent evidence contract (`consent-evidence.contract.ts`), strict: exact
 * types (no "true" for a boolean, no "0" for a number), closed objects, bounded strings and
 * lists. Why bounded: evidence is kept in memory per person and written to the changelog, and a
 * hostile producer must not be able to grow either without limit.
 */
const id = { type: 'string', minLength: 1, maxLength: 256 } as const;
const text = { type: 'string', minLength: 1, maxLength: 256 } as const;
const name = { type: 'string', minLength: 1, maxLength: 128 } as const;
const names = { type: 'array', maxItems: 64, items: name } as const;
const time = { type: 'string', format: 'rfc3339' } as const;

const marketingScope = {
  type: 'object',
  additionalProperties: false,
  required: ['brands', 'channels', 'productGroups'],
  properties: { brands: names, channels: names, productGroups: names },
} as const;

/** Every property of the contract, typed; which kinds need which is checked per kind below. */
export const CONSENT_EVIDENCE_SCHEMA = {
  $id: 'https://consent-governance.local/consent-evidence.json',
  type: 'object',
  additionalProperties: false,
  required: ['evidenceId', 'kind', 'subject', 'timestamp'],
  properties: {
    evidenceId: id,
    kind: { enum: [...CONSENT_EVIDENCE_KINDS] },
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      properties: {
        key: id,
        identifiers: {
          type: 'object',
          maxProperties: 16,
          propertyNames: { maxLength: 64 },
          additionalProperties: id,
        },
      },
    },
    timestamp: time,
    cmp: text,
    formVersion: text,
    textVersion: text,
    action: { type: 'string', maxLength: 64 },
    uiLayer: { type: 'integer', minimum: 1, maximum: 9 },
    language: { type: 'string', minLength: 2, maxLength: 35 },
    purposes: names,
    scopes: { type: 'array', maxItems: 32, items: marketingScope },
    sourceChannel: name,
    url: { type: 'string', maxLength: 2048 },
    cmpSignal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        hasResponse: { type: 'boolean' },
        method: { type: 'string', maxLength: 64 },
        consentModel: { type: 'string', maxLength: 64 },
        interactionCount: { type: 'integer', minimum: 0 },
      },
    },
    confirms: id,
    optOutOffered: { type: 'boolean' },
    optOutUsed: { type: 'boolean' },
    sale: {
      type: 'object',
      additionalProperties: false,
      required: ['completed', 'productGroups'],
      properties: { completed: { type: 'boolean' }, orderId: id, productGroups: names },
    },
    withdrawal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        all: { type: 'boolean' },
        purposes: names,
        marketing: {
          type: 'object',
          additionalProperties: false,
          properties: { brands: names, channels: names, productGroups: names },
        },
      },
    },
  },
  allOf: [
    {
      if: { properties: { kind: { const: 'double-opt-in-confirmation' } } },
      then: { required: ['confirms'] },
    },
  ],
} as const;
