import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from './policy-file.loader';
import { PolicyLoadError } from './policy-error';

const examplePath = join(__dirname, '..', '..', '..', '..', 'policies', 'example.yaml');
const example = readFileSync(examplePath, 'utf8');

function errorsOf(text: string): string[] {
  try {
    loadPolicy(text, { fileName: 'bad.yaml' });
  } catch (e) {
    if (e instanceof PolicyLoadError) return e.errors.map((x) => `${x.path}: ${x.message}`);
    throw e;
  }
  return [];
}

describe('policy file loader', () => {
  it('loads the example policy and records version plus content hash', () => {
    const policy = loadPolicy(example, { fileName: 'example.yaml' });
    expect(policy.version).toMatch(/^2025\.1\+[0-9a-f]{12}$/);
    expect(policy.destinations.map((d) => d.name)).toEqual(['segmentation', 'email-service']);
    expect(policy.nonGranularForms).toEqual(['banner-v2']);
  });

  it('reads the state expiry settings in days, null or absent meaning never, and refuses unbounded ones', () => {
    const day = 24 * 3600 * 1000;
    const { options } = loadPolicy(example, { fileName: 'example.yaml' });
    expect(options.stateHorizonMs).toBe(730 * day);
    expect(options.doubleOptInConfirmationMs).toBe(30 * day);
    const absent = example
      .replace(/ {2}stateHorizonDays: \d+\n/, '')
      .replace(/ {2}doubleOptInConfirmationDays: \d+\n/, '');
    expect(loadPolicy(absent, { fileName: 'a.yaml' }).options).toMatchObject({
      stateHorizonMs: null,
      doubleOptInConfirmationMs: null,
    });
    expect(errorsOf(example.replace(/stateHorizonDays: \d+/, 'stateHorizonDays: 3651')).join()).toContain(
      'stateHorizonDays',
    );
    expect(
      errorsOf(example.replace(/doubleOptInConfirmationDays: \d+/, 'doubleOptInConfirmationDays: 0')).join(),
    ).toContain('doubleOptInConfirmationDays');
  });

  it('reads the lineage retention in days: a number, null (for ever) or undeclared, and refuses one out of bounds', () => {
    expect(loadPolicy(example, { fileName: 'example.yaml' }).options.lineageRetentionDays).toBe(1826);
    const declared = (line: string) =>
      loadPolicy(example.replace(/ {2}lineageRetentionDays: \d+\n/, line), { fileName: 'a.yaml' }).options
        .lineageRetentionDays;
    expect(declared('  lineageRetentionDays: null\n')).toBeNull();
    expect(declared('')).toBeUndefined();
    for (const bad of ['0', '36501', '1.5', '"30"'])
      expect(
        errorsOf(example.replace(/lineageRetentionDays: \d+/, `lineageRetentionDays: ${bad}`)).join(),
      ).toContain('lineageRetentionDays');
  });

  it('lists every error by path, e.g. an unknown purpose of a destination', () => {
    const bad = example
      .replace(
        'purposes: [email.newsletter, email.own_similar_products, email.engagement_tracking]',
        'purposes: [email.newsletter, marketing]',
      )
      .replace(
        'legalBasis: contract\n    description: Deliver',
        'legalBasis: contractual\n    description: Deliver',
      );
    const errors = errorsOf(bad);
    expect(errors).toContain(
      'purposes[\'order.fulfilment\'].legalBasis: must be one of "consent", "contract", "legal-obligation", "vital-interests", "public-task", "legitimate-interests"',
    );
    const refs = errorsOf(
      example.replace(
        'purposes: [email.newsletter, email.own_similar_products, email.engagement_tracking]',
        'purposes: [email.newsletter, marketing]',
      ),
    );
    expect(refs).toEqual(['destinations.email-service.purposes[1]: unknown purpose "marketing"']);
  });

  it('reports YAML syntax errors with a line', () => {
    expect(errorsOf('version: 1\npurposes: [\n')[0]).toMatch(/^line \d+: YAML syntax/);
  });

  it('R20 a strictly necessary purpose cannot rest on consent', () => {
    const bad = example.replace(
      'legalBasis: contract\n    necessary: true',
      'legalBasis: consent\n    necessary: true',
    );
    expect(errorsOf(bad)).toContain(
      "purposes['necessary.cart'].necessary: a strictly necessary purpose cannot rest on consent (R6)",
    );
  });

  it('refuses a purpose key that names an Object.prototype member', () => {
    const bad = example.replace(
      'purposes:\n  order.fulfilment:',
      'purposes:\n  constructor:\n    legalBasis: contract\n    description: x\n  order.fulfilment:',
    );
    expect(errorsOf(bad)).toContain(
      'purposes.constructor: "constructor" is a reserved name (a JavaScript object key); rename it',
    );
  });

  it('R22 a compatibility assessment cannot replace consent', () => {
    const bad = example.replace('    purpose: loyalty.programme', '    purpose: seg.purchase_history');
    expect(errorsOf(bad).join('\n')).toMatch(
      /compatibilityAssessments\[0\]\.purpose: .*cannot replace consent/,
    );
  });

  it('compiles the consents a use requires, each with its holder (§1)', () => {
    const policy = loadPolicy(example, { fileName: 'example.yaml' });
    const page = policy.eventTypesBySource.get('web')?.get('page.viewed');
    expect(page?.device).toBe('subject');
    expect(page?.requirements?.get('seg.web_behaviour')?.map((r) => `${r.holder}:${r.purpose.key}`)).toEqual([
      'device:cookie.marketing',
    ]);
  });

  it('refuses consent requirements it cannot check, by path', () => {
    const page = 'device: subject\n        # Profiling';
    expect(example.split(page)).toHaveLength(2);
    // A device consent with no device declared.
    expect(errorsOf(example.replace(page, '# Profiling'))).toContain(
      "sources.web.types['page.viewed'].requires['seg.web_behaviour'][0].holder: a device consent needs the type to declare its device",
    );
    // A device the engine cannot keep beside the subject.
    expect(errorsOf(example.replace(page, 'device: page.url\n        # Profiling'))).toContain(
      "sources.web.types['page.viewed'].device: must be \"subject\" or the identity link's aliasPath",
    );
    const req = 'seg.web_behaviour: [{ purpose: cookie.marketing, holder: device }]';
    expect(
      errorsOf(example.replace(req, 'seg.purchase_history: [{ purpose: cookie.marketing, holder: device }]')),
    ).toContain(
      "sources.web.types['page.viewed'].requires['seg.purchase_history']: no attribute of this type is collected for \"seg.purchase_history\"",
    );
    expect(
      errorsOf(example.replace(req, 'seg.web_behaviour: [{ purpose: cookie.tracking, holder: device }]')),
    ).toContain(
      "sources.web.types['page.viewed'].requires['seg.web_behaviour'][0].purpose: unknown purpose \"cookie.tracking\"",
    );
  });

  it("applies a purpose's own requirements to every type that collects for it", () => {
    const req = '\n          seg.web_behaviour: [{ purpose: cookie.marketing, holder: device }]';
    const purpose = 'description: Segment customers by how they use the website.';
    // Declared once on the purpose instead of on each web event type.
    const moved = example
      .split(`        requires:${req}\n`)
      .join('')
      .replace(purpose, `${purpose}\n    requires: [{ purpose: cookie.marketing, holder: device }]`);
    expect(moved).not.toContain(req);
    const policy = loadPolicy(moved, { fileName: 'moved.yaml' });
    for (const type of ['page.viewed', 'identity.linked']) {
      const spec = policy.eventTypesBySource.get('web')?.get(type);
      expect(
        spec?.requirements?.get('seg.web_behaviour')?.map((r) => `${r.holder}:${r.purpose.key}`),
      ).toEqual(['device:cookie.marketing']);
    }
    // A type that collects for the purpose must then name its device.
    expect(errorsOf(moved.replace('device: subject\n', ''))).toContain(
      "sources.web.types['page.viewed']: purpose \"seg.web_behaviour\" requires a device consent; declare this type's device",
    );
  });
});
