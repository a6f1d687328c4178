import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from '@app/policy';
import { assertIdentityRoutingSafe } from '@app/stream';
import { policyWithoutIdentifiers } from './routing-off-policy';

const text = readFileSync(join(__dirname, '..', 'policies', 'example.yaml'), 'utf8');

describe("the engine bench's routing-off policy variant", () => {
  const example = loadPolicy(text, { fileName: 'example.yaml' });
  const variant = policyWithoutIdentifiers(text);
  const policy = loadPolicy(variant.text, { fileName: 'example-without-identifiers.yaml' });

  it('drops the declared identifiers, so the engine accepts routing off on several partitions', () => {
    expect(variant.strippedSources).toEqual(['crm']);
    expect([...policy.eventTypes.values()].some((s) => s.personIdentifiers.length > 0)).toBe(false);
    expect(() => assertIdentityRoutingSafe(example, 3, false)).toThrow(/identity routing is off/);
    expect(() => assertIdentityRoutingSafe(policy, 3, false)).not.toThrow();
  });

  it('keeps everything else: event types, destinations and the cookie identity link', () => {
    expect([...policy.eventTypes.keys()]).toEqual([...example.eventTypes.keys()]);
    expect(policy.destinations.map((d) => d.name)).toEqual(example.destinations.map((d) => d.name));
    expect([...policy.eventTypes.values()].some((s) => s.identityLink !== undefined)).toBe(true);
  });
});
