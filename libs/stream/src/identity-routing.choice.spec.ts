import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from '@app/policy';
import { needsIdentityRouting } from './identity-routing.choice';

const text = readFileSync(join(__dirname, '..', '..', '..', 'policies', 'example.yaml'), 'utf8');

describe('needsIdentityRouting', () => {
  const example = loadPolicy(text, { fileName: 'example.yaml' });

  it('routes when identity links can cross partitions', () => {
    expect(needsIdentityRouting(example, 3)).toBe(true);
  });

  it('does not route with one partition: every key is in the one task', () => {
    expect(needsIdentityRouting(example, 1)).toBe(false);
  });

  it('does not route when the policy declares no identity link', () => {
    const withoutLinks = loadPolicy(text.replace(/\n {8}identityLink:[^\n]*(\n {10}[^\n]*)*/g, ''), {
      fileName: 'no-links.yaml',
    });
    expect([...withoutLinks.eventTypes.values()].some((s) => s.identityLink !== undefined)).toBe(false);
    expect(needsIdentityRouting(withoutLinks, 3)).toBe(false);
  });
});
