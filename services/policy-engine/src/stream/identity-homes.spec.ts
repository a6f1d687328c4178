import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GovernanceProcessor, loadPolicy } from '@app/policy';
import { generateEventStream } from '../../../../cli/govern/event-stream.generator';
import { IdentityHomes } from './identity-homes';
import { KeyPartitions } from './key-partitions';

const ROOT = join(__dirname, '..', '..', '..', '..');
const policy = loadPolicy(readFileSync(join(ROOT, 'policies', 'example.yaml'), 'utf8'), {
  fileName: 'example.yaml',
});
const PARTITIONS = 4;
const lines = generateEventStream({ seed: 11, customers: 400 });
const processor = (): GovernanceProcessor =>
  new GovernanceProcessor(policy, { pseudonymKey: 'govern-dry-run' });
const partitions = new KeyPartitions();
const taskOf = (key: string | null): number =>
  key === null ? 0 : partitions.partitionOf('t', PARTITIONS, key);

/** What one event writes (records, lineage, dead-letter code), comparable across runs. */
function outputOf(p: GovernanceProcessor, line: string): string {
  const r = p.process(line);
  return JSON.stringify([r.records, r.lineage, r.deadLetter?.code ?? null]);
}

/** `govern dry-run`: one processor, produced order. */
const dryRun = (): string[] => {
  const p = processor();
  return lines.map((l) => outputOf(p, l));
};

function rawKey(line: string): string | null {
  try {
    const e = JSON.parse(line) as { subject?: unknown };
    return typeof e.subject === 'string' ? e.subject : null;
  } catch {
    return null;
  }
}

/**
 * The decision stage simulated with one processor per task and the global produced order (which the
 * stream's merge guarantees per task). Only where an event is decided, and which state is there,
 * differ between the two placements below.
 */
describe('identity links across 4 partitions (simulated tasks, produced order)', () => {
  const expected = dryRun();

  it("placed by the raw key (today's engine), linked web events differ from dry-run", () => {
    const tasks = Array.from({ length: PARTITIONS }, processor);
    const actual = lines.map((l) => outputOf(tasks[taskOf(rawKey(l))] as GovernanceProcessor, l));
    const differing = actual.filter((a, i) => a !== expected[i]).length;
    expect(differing).toBeGreaterThan(0);
  });

  it('placed by the resolved home with state handed over at each link, equal to dry-run event for event', () => {
    const tasks = Array.from({ length: PARTITIONS }, processor);
    const homes = new IdentityHomes(policy);
    let handovers = 0;
    const actual = lines.map((l) => {
      const route = homes.route(l);
      if (route.handover !== null) {
        const from = tasks[taskOf(route.handover.from)] as GovernanceProcessor;
        const to = tasks[taskOf(route.handover.to)] as GovernanceProcessor;
        if (from !== to) {
          handovers++;
          for (const k of route.handover.keys) {
            const state = from.exportState(k);
            from.importState(k, null);
            if (state !== null) to.importState(k, state);
          }
        }
      }
      return outputOf(tasks[taskOf(route.homeKey)] as GovernanceProcessor, l);
    });
    expect(handovers).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });
});

describe('IdentityHomes', () => {
  const link = (subject: string, cookieId: string): string =>
    JSON.stringify({
      specversion: '1.0',
      id: `l-${subject}-${cookieId}`,
      source: 'web',
      type: 'identity.linked',
      subject,
      data: { cookieId },
    });
  const page = (subject: string): string =>
    JSON.stringify({
      specversion: '1.0',
      id: `p-${subject}`,
      source: 'web',
      type: 'page.viewed',
      subject,
      data: {},
    });

  it('routes an alias to its subject after the link, with everything homed at the alias', () => {
    const h = new IdentityHomes(policy);
    expect(h.route(page('ck-1')).homeKey).toBe('ck-1');
    expect(h.route(link('c-1', 'ck-1'))).toEqual({
      homeKey: 'c-1',
      handover: { keys: ['ck-1'], from: 'ck-1', to: 'c-1' },
    });
    expect(h.route(page('ck-1')).homeKey).toBe('c-1');
    // c-1 later becomes the alias of c-2: ck-1's state moves too (it resolves through c-1's task).
    expect(h.route(link('c-2', 'c-1')).handover).toEqual({ keys: ['c-1', 'ck-1'], from: 'c-1', to: 'c-2' });
    expect(h.homeOf('ck-1')).toBe('c-2');
    // A link back is inside one home: nothing moves, no cycle.
    expect(h.route(link('c-1', 'c-2'))).toEqual({ homeKey: 'c-2', handover: null });
    expect(h.route('{not json').homeKey).toBeNull();
  });
});
