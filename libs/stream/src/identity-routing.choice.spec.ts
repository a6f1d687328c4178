import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from '@app/policy';
import { assertIdentityRoutingSafe, needsIdentityRouting } from './identity-routing.choice';

const text = readFileSync(join(__dirname, '..', '..', '..', 'policies', 'example.yaml'), 'utf8');
const IDENTIFIERS = /\n {4}identifiers:\n {6}personKey: [^\n]*\n {6}linked: [^\n]*/;

describe('needsIdentityRouting', () => {
  const example = loadPolicy(text, { fileName: 'example.yaml' });
  // The link's alias as the device (and what needs it) goes with the link: without a link the
  // engine keeps no alias beside the subject.
  const unlinked = text
    .replace(/\n {8}identityLink:[^\n]*(\n {10}[^\n]*)*/g, '')
    .replace(/\n {8}device: cookieId(\n {8}requires:[^\n]*(\n {10}[^\n]*)*)?/g, '');
  const withoutLinks = loadPolicy(unlinked.replace(IDENTIFIERS, ''), { fileName: 'no-links.yaml' });
  const identifiersOnly = loadPolicy(unlinked, { fileName: 'identifiers-only.yaml' });

  it('routes when identity links can cross partitions', () => {
    expect(needsIdentityRouting(example, 3)).toBe(true);
  });

  it('routes for a source that links declared identifiers (an e-mail address) alone', () => {
    expect([...identifiersOnly.eventTypes.values()].some((s) => s.identityLink !== undefined)).toBe(false);
    expect(needsIdentityRouting(identifiersOnly, 3)).toBe(true);
  });

  it('does not route with one partition: every key is in the one task', () => {
    expect(needsIdentityRouting(example, 1)).toBe(false);
  });

  it('does not route when the policy declares no identity link', () => {
    expect([...withoutLinks.eventTypes.values()].some((s) => s.identityLink !== undefined)).toBe(false);
    expect([...withoutLinks.eventTypes.values()].some((s) => s.personIdentifiers.length > 0)).toBe(false);
    expect(needsIdentityRouting(withoutLinks, 3)).toBe(false);
  });
});

describe('assertIdentityRoutingSafe', () => {
  const example = loadPolicy(text, { fileName: 'example.yaml' });

  it('refuses declared identifiers with routing off on several partitions: their evidence would fail open', () => {
    expect(() => assertIdentityRoutingSafe(example, 3, false)).toThrow(/identity routing is off/);
  });

  it('allows routing on, or one partition', () => {
    expect(() => assertIdentityRoutingSafe(example, 3, true)).not.toThrow();
    expect(() => assertIdentityRoutingSafe(example, 1, false)).not.toThrow();
  });
});
