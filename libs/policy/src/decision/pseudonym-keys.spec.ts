import { createHmac, hkdfSync } from 'node:crypto';
import {
  DEMO_PSEUDONYM_KEYRING,
  destinationPseudonym,
  keyringProblems,
  lineagePseudonym,
  Pseudonymiser,
  destinationScope,
  LINEAGE_SCOPE,
  type PseudonymKeyring,
} from './pseudonym-keys';

const keyring = (active: string, ...ids: string[]): PseudonymKeyring => ({
  activeKeyId: active,
  secrets: new Map(ids.map((id) => [id, `secret of ${id}, long enough for the engine`])),
});

describe('pseudonyms', () => {
  const ring = keyring('k2', 'k1', 'k2');

  it('are <keyId>:<32 hex> of HMAC-SHA256 under an HKDF-SHA256 key derived per scope', () => {
    const secret = ring.secrets.get('k2') as string;
    const key = Buffer.from(hkdfSync('sha256', secret, 'consent-governance/pseudonym/v1', 'lineage', 32));
    const mac = createHmac('sha256', key).update('cust-1').digest('hex').slice(0, 32);
    expect(lineagePseudonym(ring, 'cust-1')).toBe(`k2:${mac}`);
    expect(new Pseudonymiser(ring, LINEAGE_SCOPE).of('cust-1')).toBe(`k2:${mac}`);
  });

  it('differ per destination and from the lineage, so no two tools can join their data', () => {
    const seen = new Set<string>();
    for (const value of ['cust-1', 'bob@example.com', ''])
      for (const scope of ['lineage', 'segmentation', 'email-service', 'crm-export']) {
        const p =
          scope === 'lineage' ? lineagePseudonym(ring, value) : destinationPseudonym(ring, scope, value);
        expect(p).toMatch(/^k2:[0-9a-f]{32}$/);
        seen.add(p.slice(3));
      }
    expect(seen.size).toBe(12);
  });

  it('of one destination are stable, cached or not, and of any JSON value by its text', () => {
    const p = new Pseudonymiser(ring, destinationScope('segmentation'));
    expect(p.of('a')).toBe(destinationPseudonym(ring, 'segmentation', 'a'));
    expect(p.compute('a')).toBe(p.of('a'));
    expect(p.ofValue({ b: 1 })).toBe(p.of('{"b":1}'));
  });

  it('rotate with the active key id; old ones stay computable from the keyring', () => {
    const before = keyring('k1', 'k1');
    const after = keyring('k2', 'k1', 'k2');
    const old = lineagePseudonym(before, 'cust-1');
    expect(old.startsWith('k1:')).toBe(true);
    expect(lineagePseudonym(after, 'cust-1').startsWith('k2:')).toBe(true);
    expect(lineagePseudonym(after, 'cust-1', 'k1')).toBe(old);
    expect(destinationPseudonym(after, 'segmentation', 'cust-1', 'k1')).toBe(
      destinationPseudonym(before, 'segmentation', 'cust-1'),
    );
  });

  it('of a subject are taken of its canonical key, as the core names it', () => {
    expect(lineagePseudonym(ring, ' Bob@Example.COM')).toBe(lineagePseudonym(ring, 'bob@example.com'));
    expect(lineagePseudonym(ring, 'Cust-1')).not.toBe(lineagePseudonym(ring, 'cust-1'));
  });

  it('of the demo keyring say so: every one starts with demo:', () => {
    expect(lineagePseudonym(DEMO_PSEUDONYM_KEYRING, 'x').startsWith('demo:')).toBe(true);
  });

  it('need a secret for the requested key id', () => {
    expect(() => lineagePseudonym(ring, 'x', 'k9')).toThrow(/no secret for the requested key id/);
    expect(() => new Pseudonymiser(keyring('k9', 'k1'), LINEAGE_SCOPE)).toThrow();
  });
});

describe('keyringProblems', () => {
  it('finds ids unfit for a pseudonym prefix, empty secrets and an active id without a secret', () => {
    expect(keyringProblems(keyring('k1', 'k1'))).toEqual([]);
    expect(
      keyringProblems({
        activeKeyId: 'a:b',
        secrets: new Map([
          ['a:b', 's'],
          ['ok', ''],
        ]),
      }),
    ).toEqual(['every key id must be 1-16 lowercase letters, digits or "-"', 'no secret may be empty']);
    expect(keyringProblems(keyring('k2', 'k1'))).toEqual(['the active key id must have a secret']);
  });
});
