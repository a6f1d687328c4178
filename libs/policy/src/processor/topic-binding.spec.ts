import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';
import { PolicyLoadError } from '../policy-file/policy-error';
import { loadPolicy } from '../policy-file/policy-file.loader';
import { GovernanceProcessor } from './governance.processor';

const example = readFileSync(join(__dirname, '..', '..', '..', '..', 'policies', 'example.yaml'), 'utf8');

/** The example policy with the evidence topic and the crm source's topic declared explicitly. */
const declared = example
  .replace('  maxEventBytes: 65536\n', '  maxEventBytes: 65536\n  consentEvidenceTopic: cmp.consents\n')
  .replace('sources:\n  crm:\n', 'sources:\n  crm:\n    topic: crm.customers\n');

function errorsOf(text: string): string[] {
  try {
    loadPolicy(text, { fileName: 'bad.yaml' });
  } catch (e) {
    if (e instanceof PolicyLoadError) return e.errors.map((x) => `${x.path}: ${x.message}`);
    throw e;
  }
  return [];
}

const evidence = {
  specversion: '1.0',
  id: 'c1',
  source: 'consent-service',
  type: 'consent.evidence',
  time: '2025-03-01T10:00:00Z',
  subject: 'S1',
  data: {
    evidenceId: 'ev1',
    kind: 'cookie-banner',
    subject: { key: 'S1' },
    timestamp: '2025-03-01T10:00:00Z',
    cmp: 'c',
    formVersion: 'banner-v1',
    textVersion: 't',
    action: 'accept_all',
    uiLayer: 1,
    language: 'da',
    purposes: [],
    sourceChannel: 'web',
  },
};
const customer = {
  specversion: '1.0',
  id: 'e1',
  source: 'crm',
  type: 'customer.updated',
  time: '2025-03-01T10:05:00Z',
  subject: 'S1',
  data: { email: 's1@example.com' },
};

describe('input topics as the policy declares them', () => {
  const policy = loadPolicy(declared, { fileName: 'declared.yaml' });
  const processor = (): GovernanceProcessor =>
    new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });

  it('default to source.<name> and consent.evidence, and may be declared per source and for evidence', () => {
    const plain = loadPolicy(example, { fileName: 'example.yaml' });
    expect(plain.evidenceTopic).toBe('consent.evidence');
    expect(plain.sourceTopics.get('web')).toBe('source.web');
    expect(policy.evidenceTopic).toBe('cmp.consents');
    expect(policy.sourceTopics.get('crm')).toBe('crm.customers');
    expect(policy.inputTopics.get('crm.customers')).toEqual({ kind: 'source', source: 'crm' });
    expect(policy.inputTopics.get('cmp.consents')).toEqual({ kind: 'evidence' });
  });

  it('accept consent evidence from the declared evidence topic only, not by its name', () => {
    expect(processor().process(evidence, { topic: 'cmp.consents' }).deadLetter).toBeUndefined();
    expect(processor().process(evidence, { topic: 'consent.evidence' }).deadLetter?.code).toBe(
      'unexpected-evidence-source',
    );
  });

  it('decide a source event only from the topic declared for its source', () => {
    expect(processor().process(customer, { topic: 'crm.customers' }).deadLetter).toBeUndefined();
    for (const topic of ['source.crm', 'source.web', 'cmp.consents']) {
      const r = processor().process(customer, { topic });
      expect(r.deadLetter).toEqual({
        code: 'source-topic-mismatch',
        reason: 'source: not the source the policy declares for the topic this event was read from',
      });
      expect(r.records).toEqual([]);
      expect(r.stateChanges).toEqual([]);
    }
  });

  it('are refused at load when one topic would carry two things', () => {
    expect(
      errorsOf(example.replace('sources:\n  crm:\n', 'sources:\n  crm:\n    topic: consent.evidence\n')),
    ).toEqual([
      'sources.crm.topic: topic "consent.evidence" is already the topic of consent evidence or of another source',
    ]);
    expect(
      errorsOf(example.replace('sources:\n  crm:\n', 'sources:\n  crm:\n    topic: source.web\n')),
    ).toEqual([
      'sources.web.topic: topic "source.web" is already the topic of consent evidence or of another source',
    ]);
    expect(
      errorsOf(
        example.replace(
          '  maxEventBytes: 65536\n',
          '  maxEventBytes: 65536\n  consentEvidenceTopic: governed.segmentation\n',
        ),
      ),
    ).toEqual(['destinations.segmentation.topic: topic "governed.segmentation" is also an input topic']);
    expect(
      errorsOf(example.replace('sources:\n  crm:\n', 'sources:\n  crm:\n    topic: "no spaces"\n'))[0],
    ).toMatch(/^sources\.crm\.topic: /);
  });
});
