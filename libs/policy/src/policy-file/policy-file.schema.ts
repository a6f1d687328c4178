import { LEGAL_BASES } from '../vocabulary/legal-basis';
import { ATTRIBUTE_PATH, DESTINATION_NAME, DOTTED_NAME, TOPIC_NAME } from './name-rules';

/**
 * JSON Schema (draft 2020-12 subset understood by ajv) of the policy file. Structural checks
 * only; cross references (unknown purpose, unknown form...) are checked by the loader so the
 * messages can name what is missing.
 */
const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const key = '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*$';
/** Consents a use requires, each with its holder (the device's banner choice, or the person's). */
const requirementList = {
  type: 'array',
  minItems: 1,
  maxItems: 16,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['purpose', 'holder'],
    properties: { purpose: { type: 'string' }, holder: { enum: ['device', 'person'] } },
  },
} as const;

const text = { type: 'string', minLength: 1 } as const;

/** A purpose's entry in the record of processing (Art. 30(1)); every field is required. */
const processingRecord = {
  type: 'object',
  additionalProperties: false,
  required: [
    'dataCategories',
    'subjectCategories',
    'recipients',
    'thirdCountryTransfers',
    'erasure',
    'securityMeasures',
  ],
  properties: {
    dataCategories: { type: 'array', minItems: 1, items: { type: 'string', pattern: key } },
    subjectCategories: { ...stringList, minItems: 1 },
    recipients: stringList,
    thirdCountryTransfers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['country', 'recipient', 'safeguard'],
        properties: { country: text, recipient: text, safeguard: text },
      },
    },
    erasure: text,
    securityMeasures: { ...stringList, minItems: 1 },
  },
} as const;

export const POLICY_FILE_SCHEMA = {
  $id: 'https://consent-governance.local/policy-file.json',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'purposes', 'consentForms', 'sources', 'destinations'],
  properties: {
    version: { type: ['string', 'number'] },
    controller: { type: 'string' },
    controllerContact: text,
    dataProtectionOfficer: text,
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // Bounded: these size per-event work and per-person memory; ten years is the longest age.
        cookieConsentMaxAgeDays: { type: ['integer', 'null'], minimum: 1, maximum: 3650 },
        marketingConsentMaxAgeDays: { type: ['integer', 'null'], minimum: 1, maximum: 3650 },
        maxEventBytes: { type: 'integer', minimum: 256, maximum: 1_000_000 },
        duplicateWindow: { type: 'integer', minimum: 0, maximum: 10_000 },
        engagementTrackingPurpose: { type: 'string' },
        maxEvidenceSkewSeconds: { type: 'integer', minimum: 0 },
        consentEvidenceSources: { ...stringList, minItems: 1, maxItems: 32 },
        consentEvidenceTopic: { type: 'string', pattern: TOPIC_NAME },
        stateHorizonDays: { type: ['integer', 'null'], minimum: 1, maximum: 3650 },
        doubleOptInConfirmationDays: { type: ['integer', 'null'], minimum: 1, maximum: 365 },
        gpcObjectsTo: { ...stringList, maxItems: 64 },
        // A century: proof of past decisions may be needed for as long as claims can be brought.
        lineageRetentionDays: { type: ['integer', 'null'], minimum: 1, maximum: 36_500 },
      },
    },
    purposes: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: key },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['legalBasis'],
        properties: {
          legalBasis: { enum: [...LEGAL_BASES] },
          description: { type: 'string' },
          directMarketing: { type: 'boolean' },
          necessary: { type: 'boolean' },
          requires: requirementList,
          record: processingRecord,
        },
      },
    },
    marketing: {
      type: 'object',
      additionalProperties: false,
      required: ['brands', 'channels', 'productGroups'],
      properties: {
        brands: stringList,
        ownBrands: stringList,
        channels: stringList,
        productGroups: stringList,
        similarProductGroups: { type: 'array', items: stringList },
      },
    },
    consentForms: {
      type: 'object',
      propertyNames: { pattern: DOTTED_NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'affirmativeActions'],
        properties: {
          kind: { enum: ['cookie-banner', 'marketing-consent', 'soft-opt-in', 'preference-centre'] },
          context: { enum: ['signup', 'competition', 'checkout', 'survey', 'account'] },
          firstLayer: stringList,
          secondLayer: stringList,
          choices: {
            type: 'object',
            propertyNames: { pattern: DOTTED_NAME },
            additionalProperties: stringList,
          },
          purposes: stringList,
          scopes: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['brands', 'channels', 'productGroups'],
              properties: { brands: stringList, channels: stringList, productGroups: stringList },
            },
          },
          withdrawalInfoShown: { type: 'boolean' },
          doubleOptIn: { type: 'boolean' },
          competition: {
            type: 'object',
            additionalProperties: false,
            required: [
              'separateConsentStep',
              'consentAsProminentAsPrize',
              'productGroupsNamed',
              'companiesVisible',
            ],
            properties: {
              separateConsentStep: { type: 'boolean' },
              consentAsProminentAsPrize: { type: 'boolean' },
              productGroupsNamed: { type: 'boolean' },
              companiesVisible: { type: 'boolean' },
            },
          },
          affirmativeActions: stringList,
          // Bounded: the text is stored once per form version and quoted in receipts.
          text: { type: 'string', minLength: 1, maxLength: 65_536 },
          howToWithdraw: { type: 'string', minLength: 1, maxLength: 2_000 },
          cmpCategories: {
            type: 'object',
            additionalProperties: false,
            properties: Object.fromEntries(
              ['cookiebot', 'onetrust', 'consentMode', 'tcf'].map((cmp) => [
                cmp,
                {
                  type: 'object',
                  minProperties: 1,
                  propertyNames: { pattern: DOTTED_NAME },
                  additionalProperties: { ...stringList, minItems: 1, maxItems: 16 },
                },
              ]),
            ),
          },
        },
      },
    },
    compatibilityAssessments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'source', 'type', 'attribute', 'purpose'],
        properties: {
          id: { type: 'string', minLength: 1 },
          source: { type: 'string' },
          type: { type: 'string' },
          attribute: { type: 'string' },
          purpose: { type: 'string' },
        },
      },
    },
    sources: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: DOTTED_NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['types'],
        properties: {
          description: { type: 'string' },
          topic: { type: 'string', pattern: TOPIC_NAME },
          identifiers: {
            type: 'object',
            additionalProperties: false,
            required: ['personKey', 'linked'],
            properties: {
              personKey: { type: 'string', pattern: ATTRIBUTE_PATH },
              linked: { ...stringList, minItems: 1 },
            },
          },
          types: {
            type: 'object',
            minProperties: 1,
            propertyNames: { pattern: DOTTED_NAME },
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              required: ['schema', 'attributes'],
              properties: {
                schema: { type: 'object' },
                attributes: {
                  type: 'object',
                  propertyNames: { pattern: ATTRIBUTE_PATH },
                  additionalProperties: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['category', 'purposes'],
                    properties: { category: { type: 'string', pattern: key }, purposes: stringList },
                  },
                },
                identityLink: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['aliasPath', 'requiresPurpose'],
                  properties: { aliasPath: { type: 'string' }, requiresPurpose: { type: 'string' } },
                },
                device: { type: 'string', minLength: 1 },
                requires: {
                  type: 'object',
                  propertyNames: { pattern: key },
                  additionalProperties: requirementList,
                },
                engagement: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
    destinations: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: DESTINATION_NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['channel', 'purposes', 'identifiers', 'fields'],
        properties: {
          topic: { type: 'string', pattern: TOPIC_NAME },
          channel: { enum: ['email', 'sms', 'none'] },
          purposes: { ...stringList, minItems: 1 },
          identifiers: { enum: ['as-is', 'pseudonym'] },
          marketing: {
            type: 'object',
            additionalProperties: false,
            required: ['brand', 'productGroups', 'unsubscribeInEveryMessage'],
            properties: {
              brand: { type: 'string' },
              productGroups: stringList,
              unsubscribeInEveryMessage: { type: 'boolean' },
            },
          },
          fields: {
            type: 'object',
            propertyNames: { pattern: ATTRIBUTE_PATH },
            additionalProperties: { enum: ['as-is', 'pseudonymise'] },
          },
        },
      },
    },
    // R23: anonymous per-campaign counts of opens and clicks; names share the destinations' rule.
    aggregates: {
      type: 'object',
      propertyNames: { pattern: DESTINATION_NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['by', 'minimumCount'],
        properties: {
          topic: { type: 'string', pattern: TOPIC_NAME },
          by: { type: 'string', pattern: ATTRIBUTE_PATH },
          // A figure of one event would be that person's event: k is at least 2.
          minimumCount: { type: 'integer', minimum: 2, maximum: 1_000_000 },
        },
      },
    },
  },
} as const;
