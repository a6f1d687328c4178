import { loadPolicy } from '../policy-file/policy-file.loader';
import { processingRecord, processingRecordMarkdown } from './processing-record';
import { errorsOf } from '../../test/policy-errors.harness';
import { EXAMPLE_POLICY_TEXT } from '../../test/rule-fixture.harness';

const example = EXAMPLE_POLICY_TEXT;

/** The example with one purpose's `record:` block removed. */
function withoutRecord(purpose: string): string {
  const re = new RegExp(
    `(\\n  ${purpose.replace('.', '\\.')}:\\n(?:    (?!record:).*\\n)*)    record:\\n(?:      .*\\n)+`,
  );
  const out = example.replace(re, '$1');
  expect(out).not.toBe(example);
  return out;
}

describe('record of processing (Art. 30)', () => {
  const policy = loadPolicy(example, { fileName: 'example.yaml' });

  it('lists one activity per purpose in use, in policy order, with every Art. 30(1) field', () => {
    const report = processingRecord(policy);
    expect(report.controller).toBe('Nordlys Løb ApS');
    expect(report.controllerContact).toMatch(/privacy@nordlys-loeb\.dk/);
    expect(report.dataProtectionOfficer).toMatch(/dpo@/);
    expect(report.policyVersion).toBe(policy.version);
    const purposes = report.activities.map((a) => a.purpose);
    expect(purposes).toContain('order.fulfilment');
    expect(purposes).toContain('email.engagement_tracking');
    // Named only on a banner, never processed here: not an activity of this system.
    expect(purposes).not.toContain('cookie.preferences');
    const seg = report.activities.find((a) => a.purpose === 'seg.purchase_history');
    expect(seg).toMatchObject({
      legalBasis: 'consent',
      legalBasisArticle: 'Art. 6(1)(a) consent',
      destinations: ['segmentation'],
      recipients: ['customer segmentation platform (processor)'],
      thirdCountryTransfers: [],
    });
    expect(seg?.collectedFrom).toContain('crm/customer.updated city');
    for (const a of report.activities) {
      expect(a.dataCategories.length).toBeGreaterThan(0);
      expect(a.subjectCategories.length).toBeGreaterThan(0);
      expect(a.erasure).not.toBe('');
      expect(a.securityMeasures.length).toBeGreaterThan(0);
    }
    const marketingCookie = report.activities.find((a) => a.purpose === 'cookie.marketing');
    expect(marketingCookie?.collectedFrom).toEqual(['web/identity.linked cookieId']);
    expect(marketingCookie?.thirdCountryTransfers[0]?.country).toBe('United States');
  });

  it('renders Markdown with one section per activity and escaped table cells', () => {
    const md = processingRecordMarkdown(processingRecord(policy));
    expect(md[0]).toBe('# Record of processing activities (GDPR Art. 30(1))');
    expect(md).toContain('## order.fulfilment');
    expect(md.filter((l) => l.startsWith('## '))).toHaveLength(processingRecord(policy).activities.length);
    expect(md.join('\n')).toContain(
      '| Third-country transfers (e) | United States: e-mail and marketing platform',
    );
    const piped = processingRecordMarkdown({
      controller: null,
      controllerContact: null,
      dataProtectionOfficer: null,
      policyVersion: 'v',
      activities: [{ ...processingRecord(policy).activities[0]!, erasure: 'a | b\nc' }],
    });
    expect(piped).toContain('| Time limit for erasure (f) | a \\| b c |');
  });

  it('validate refuses a purpose in use without its record, by path', () => {
    expect(errorsOf(withoutRecord('seg.purchase_history'))).toEqual([
      "purposes['seg.purchase_history'].record: missing: the purpose is in use (sources.crm.types['customer.updated'].attributes.email), so it needs its record of processing (Art. 30): dataCategories, subjectCategories, recipients, thirdCountryTransfers, erasure, securityMeasures",
    ]);
  });

  it('a purpose only a destination serves is in use too; one nothing uses needs no record', () => {
    expect(errorsOf(withoutRecord('cookie.preferences'))).toEqual([]);
    const served = withoutRecord('cookie.preferences').replace(
      'purposes: [seg.purchase_history, seg.web_behaviour, email.engagement_tracking]',
      'purposes: [seg.purchase_history, seg.web_behaviour, email.engagement_tracking, cookie.preferences]',
    );
    expect(errorsOf(served)[0]).toMatch(
      /^purposes\['cookie\.preferences'\]\.record: missing: the purpose is in use \(destinations\.segmentation\.purposes\)/,
    );
  });

  it('validate refuses a record that omits a data category the policy processes for the purpose', () => {
    const bad = example.replace(
      'dataCategories: [identity.age, contact.email]',
      'dataCategories: [identity.age]',
    );
    expect(errorsOf(bad)).toEqual([
      'purposes[\'loyalty.programme\'].record.dataCategories: does not list "contact.email", processed for this purpose at compatibilityAssessments[0] (Art. 30(1)(c))',
    ]);
  });

  it('validate refuses an incomplete record field by path', () => {
    const bad = example.replace(/(\n {2}necessary\.cart:\n(?: {4}.*\n)*?) {6}erasure: .*\n/, '$1');
    expect(errorsOf(bad)).toContain(
      'purposes[\'necessary.cart\'].record: missing required property "erasure"',
    );
  });
});
