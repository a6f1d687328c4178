import { claimantSuppressionId, decisionId } from './decision-id';

describe('decisionId', () => {
  it('names the kind, destination, policy content and event, readably', () => {
    expect(decisionId('0123456789ab', 'evt-1', 'email-service')).toBe('d:email-service:0123456789ab:evt-1');
    expect(decisionId('0123456789ab', 'evt-1', 'email-service', 'suppression')).toBe(
      's:email-service:0123456789ab:evt-1',
    );
  });

  it('gives different inputs different ids, even when event ids contain the separator', () => {
    const inputs: [string, string, string, 'decision' | 'suppression'][] = [];
    for (const hash of ['0123456789ab', 'ba9876543210'])
      for (const eventId of ['a', 'a:b', 'b', 'ab:0123456789ab:a', ':'])
        for (const destination of ['segmentation', 'email-service', 'email'])
          for (const kind of ['decision', 'suppression'] as const)
            inputs.push([hash, eventId, destination, kind]);
    const ids = new Set(inputs.map((i) => decisionId(...i)));
    expect(ids.size).toBe(inputs.length);
  });
});

describe('claimantSuppressionId', () => {
  it('is apart from every decision and suppression id, and differs per subject', () => {
    const a = claimantSuppressionId('0123456789ab', 'evt-1', 'email-service', 'k1:aa');
    expect(a).toBe('c:email-service:0123456789ab:k1:aa/evt-1');
    expect(a).not.toBe(claimantSuppressionId('0123456789ab', 'evt-1', 'email-service', 'k1:bb'));
    expect(a).not.toBe(decisionId('0123456789ab', 'evt-1', 'email-service', 'suppression'));
  });
});
