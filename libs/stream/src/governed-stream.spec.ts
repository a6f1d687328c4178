import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PSEUDONYM_KEYRING, PolicyLoadError } from '@app/policy';
import { startGovernedStream } from './governed-stream';

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
      pseudonymKeys: DEMO_PSEUDONYM_KEYRING,
      demoMode: true,
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
