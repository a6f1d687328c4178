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
    // The link's alias as the device (and what needs it) goes too: without a link the engine keeps
    // no alias beside the subject.
    const unlinked = text
      .replace(/\n {8}identityLink:[^\n]*(\n {10}[^\n]*)*/g, '')
      .replace(/\n {8}device: cookieId(\n {8}requires:[^\n]*(\n {10}[^\n]*)*)?/g, '');
    const withoutLinks = loadPolicy(unlinked, { fileName: 'no-links.yaml' });
    expect([...withoutLinks.eventTypes.values()].some((s) => s.identityLink !== undefined)).toBe(false);
    expect(needsIdentityRouting(withoutLinks, 3)).toBe(false);
  });
});
