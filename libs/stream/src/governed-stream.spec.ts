import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyLoadError } from '@app/policy';
import { assertPseudonymKey, PUBLIC_PSEUDONYM_KEY, startGovernedStream } from './governed-stream';

// A bad policy file stops the engine before it touches the broker, naming the path of the mistake.
describe('startGovernedStream with a bad policy file', () => {
  it('fails at load with every error by path and never connects', async () => {
    const good = readFileSync(join(__dirname, '../../../policies/example.yaml'), 'utf8');
    const bad = good.replace(
      'purposes: [seg.purchase_history, seg.web_behaviour, email.engagement_tracking]',
      'purposes: [seg.purchase_history, marketing, email.engagement_tracking]',
    );
    expect(bad).not.toEqual(good);
    const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'bad.yaml');
    writeFileSync(file, bad);

    const started = startGovernedStream({
      // Nothing listens here: reaching the broker would fail differently (and slowly).
      kafka: { brokers: '127.0.0.1:1', clientId: 'bad-policy-test' },
      policyFile: file,
      pseudonymKey: 'k',
      groupId: 'g',
      topicPrefix: '',
      partitions: 1,
      maxStepRecords: 10,
      maxQueuedPerPartition: 10,
      createTopics: true,
    });

    await expect(started).rejects.toBeInstanceOf(PolicyLoadError);
    await expect(started).rejects.toThrow(
      'destinations.segmentation.purposes[1]: unknown purpose "marketing"',
    );
  });
});

describe('assertPseudonymKey', () => {
  it.each([undefined, '', '  ', PUBLIC_PSEUDONYM_KEY])(
    'refuses %p outside demo mode, naming the setting only',
    (key) => {
      expect(() => assertPseudonymKey(key, false)).toThrow(
        /^GOVERN_PSEUDONYM_KEY is unset, empty or the public default/,
      );
    },
  );

  it('accepts a secret key, and the public default in demo mode', () => {
    expect(() => assertPseudonymKey('a-secret', false)).not.toThrow();
    expect(() => assertPseudonymKey(PUBLIC_PSEUDONYM_KEY, true)).not.toThrow();
  });
});
