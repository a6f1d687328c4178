import { decisionId } from './decision-id';

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
