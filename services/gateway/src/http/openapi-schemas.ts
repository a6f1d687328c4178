import { type SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Every error answer. */
export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable refusal code' },
    message: { type: 'string', description: 'What to fix; names fields and paths, never values' },
  },
};

/** Schemas referenced by the endpoints, added to the document's components. */
export const COMPONENT_SCHEMAS: Record<string, SchemaObject> = {
  CloudEvent: {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'time', 'subject', 'data'],
    properties: {
      specversion: { type: 'string', enum: ['1.0'] },
      id: { type: 'string', maxLength: 256, description: 'Unique per event; no personal data' },
      source: { type: 'string', description: 'Must equal the :source of the path' },
      type: { type: 'string', description: 'An event type the policy declares for the source' },
      time: { type: 'string', format: 'date-time', description: 'When the data was collected' },
      subject: { type: 'string', description: 'The subject key (e.g. the CRM customer id)' },
      data: { type: 'object', description: "Validated against the event type's schema in the policy" },
    },
  },
  ConsentCallback: {
    type: 'object',
    required: ['deviceId'],
    additionalProperties: false,
    properties: {
      deviceId: {
        type: 'string',
        pattern: '^[A-Za-z0-9._:-]{8,128}$',
        description: 'The device or cookie identifier',
      },
      signal: {
        description:
          'own-banner: {bannerVersion, textVersion, language, action, layer, choices}; tcf: the TC string; ' +
          "consent-mode: ['consent', 'update', {...}]; cookiebot: the CookieConsent cookie value; onetrust: " +
          '{optanonConsent, alertBoxClosed, consentModel}; gpc: none (the Sec-GPC header)',
      },
      banner: {
        type: 'object',
        description:
          'For consent platforms: the banner version served (as registered in the policy) and its text hash',
        properties: {
          formVersion: { type: 'string' },
          textVersion: { type: 'string' },
          language: { type: 'string' },
        },
      },
      url: { type: 'string', description: 'The page; stored without query or fragment' },
      subjectToken: { type: 'string', description: "The site's signed token naming the signed-in person" },
    },
  },
};
