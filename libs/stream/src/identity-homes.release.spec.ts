import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { IdentityHomes } from './identity-homes';
import { HomeReleases } from './identity-homes.release';
import { KeyPartitions } from './key-partitions';
import { comebackTail, expiringPolicyText } from '../test/identity-releases.harness';

const ROOT = join(__dirname, '..', '..', '..');
const policyText = readFileSync(join(ROOT, 'policies', 'example.yaml'), 'utf8');
// The sample spans fourteen months: with a 30-day horizon and cookie consent lasting 60 days (R8 lets
// it last 396, longer than the sample) most subjects, linked ones included, expire.
const policy = loadPolicy(expiringPolicyText(policyText), { fileName: 'example.yaml' });
const PARTITIONS = 4;
const processor = (): GovernanceProcessor =>
  new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
const partitions = new KeyPartitions();
const taskOf = (key: string | null): number =>
  key === null ? 0 : partitions.partitionOf('t', PARTITIONS, key);

function outputOf(p: GovernanceProcessor, line: string): { output: string; expired: readonly string[] } {
  const r = p.process(line);
  return {
    output: JSON.stringify([r.records, r.lineage, r.deadLetter?.code ?? null]),
    expired: r.expiredSubjects ?? [],
  };
}

/** The homes changelog as compaction leaves it: the latest value per key, tombstoned keys gone. */
type Changelog = Map<string, string | null>;

/**
 * The decision stage simulated as in identity-homes.spec.ts (one processor per task, the router's
 * produced order, state handed over at links), with the route position of each record being its
 * index, and each task releasing the keys its sweep forgets at the position it has reached. The
 * router handles a release `lag` records after the task made it: the router runs ahead of the
 * tasks, so events of released keys may have been routed in between (in flight). Every
 * `restartEvery` records the router restarts: its table and release log come back from what it
 * wrote (as compaction keeps it), releases in flight stay in flight.
 */
function simulate(
  lines: readonly string[],
  lag = 0,
  restartEvery = 0,
): {
  outputs: string[];
  homes: IdentityHomes;
  changelog: Changelog;
  dropped: number;
  largest: number;
} {
  const tasks = Array.from({ length: PARTITIONS }, processor);
  let homes = new IdentityHomes(policy);
  // As the engine's router: a release counts only from the task of the key's home.
  let releases = new HomeReleases(homes, 0, taskOf);
  const changelog: Changelog = new Map();
  const log = { released: new Map<string, number>(), lastRouted: new Map<string, number>() };
  const keepChanges = (): void => {
    const { released, lastRouted } = releases.takeChanges();
    for (const [map, changes] of [
      [log.released, released],
      [log.lastRouted, lastRouted],
    ] as const)
      for (const [k, v] of changes)
        if (v === null) map.delete(k);
        else map.set(k, v);
  };
  let dropped = 0;
  let largest = 0;
  type Release = { keys: readonly string[]; position: number; task: number };
  const inFlight: Release[] = [];
  const handleReleases = (through: number): void => {
    while (inFlight.length > 0 && (inFlight[0] as { position: number }).position <= through) {
      const { keys, position, task } = inFlight.shift() as Release;
      for (const key of releases.released(keys, position, task)) {
        changelog.set(key, null);
        dropped++;
      }
    }
  };
  const outputs = lines.map((line, position) => {
    if (restartEvery > 0 && position > 0 && position % restartEvery === 0) {
      keepChanges();
      homes = new IdentityHomes(policy);
      for (const [key, home] of changelog) homes.restore(key, home);
      releases = new HomeReleases(homes, position - 1, taskOf, log);
    }
    handleReleases(position - lag);
    const route = homes.route(line);
    const h = route.handover;
    if (h !== null) {
      for (const k of h.keys) changelog.set(k, h.to);
      releases.handedOver(h.from);
      const from = tasks[taskOf(h.from)] as GovernanceProcessor;
      const to = tasks[taskOf(h.to)] as GovernanceProcessor;
      if (from !== to)
        for (const k of h.keys) {
          const state = from.exportState(k);
          from.importState(k, null);
          if (state !== null) to.importState(k, state);
        }
    }
    if (route.homeKey !== null) releases.routed(route.homeKey, position);
    largest = Math.max(largest, [...homes.entries()].length);
    const { output, expired } = outputOf(tasks[taskOf(route.homeKey)] as GovernanceProcessor, line);
    if (expired.length > 0) inFlight.push({ keys: expired, position, task: taskOf(route.homeKey) });
    handleReleases(position - lag);
    keepChanges();
    return output;
  });
  handleReleases(Infinity);
  return { outputs, homes, changelog, dropped, largest };
}

describe('identity homes released by the tasks (30-day horizon, 4 simulated tasks)', () => {
  const sample = generateEventStream({ seed: 11, customers: 400 });
  // Most of the sample's traffic is early; the tail brings the linked cookies back months later.
  const tail = comebackTail(sample);
  const lines = [...sample, ...tail];
  const dry = processor();
  const expected = lines.map((l) => outputOf(dry, l).output);
  const run = simulate(lines);

  it('shrinks the table and still decides every event as dry-run does', () => {
    expect(run.dropped).toBeGreaterThan(0);
    // What is left are groups with a state kept for ever (an objection or a suppression).
    expect([...run.homes.entries()].length).toBeLessThan(run.largest / 2);
    expect(run.outputs).toEqual(expected);
  });

  // With 400, releases are still in flight when some cookies come back: a rule that did not check
  // the home's last routed record would drop their groups and decide 2 page views without the choice.
  it.each([3, 400])('stays equal to dry-run when the router handles each release %i records late', (lag) => {
    const late = simulate(lines, lag);
    expect(late.dropped).toBeGreaterThan(0);
    expect(late.outputs).toEqual(expected);
  });

  // The release log keeps what was on record: a router restarted every 500 records ends with the
  // same table as one never restarted, and decides as dry-run does (also with releases in flight).
  it('ends with the same table when the router restarts every 500 records', () => {
    const restarted = simulate(lines, 0, 500);
    expect(restarted.outputs).toEqual(expected);
    expect(new Map(restarted.homes.entries())).toEqual(new Map(run.homes.entries()));
  });

  // A release still in flight at a restart counts only where its home's position was logged (an
  // unlogged home counts as routed at the restart): the rule keeps more, never less.
  it('stays equal to dry-run when the router restarts with releases in flight', () => {
    const late = simulate(lines, 100, 500);
    expect(late.dropped).toBeGreaterThan(0);
    expect(late.outputs).toEqual(expected);
  });

  it('restores from the compacted changelog only the entries still live', () => {
    const restored = new IdentityHomes(policy);
    for (const [key, home] of run.changelog) restored.restore(key, home);
    expect(new Map(restored.entries())).toEqual(new Map(run.homes.entries()));
    expect([...run.changelog.values()].filter((home) => home === null).length).toBeGreaterThan(0);
  });
});

describe('HomeReleases', () => {
  const link = (subject: string, cookieId: string): string =>
    JSON.stringify({
      specversion: '1.0',
      id: `l-${subject}`,
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

  /** A table where ck-1 is homed at c-1 (routed at position 1). */
  function linked(): { homes: IdentityHomes; releases: HomeReleases } {
    const homes = new IdentityHomes(policy);
    const releases = new HomeReleases(homes);
    releases.routed(homes.route(link('c-1', 'ck-1')).homeKey as string, 1);
    return { homes, releases };
  }

  it('drops a group once every key of it, the home included, is released after its last record', () => {
    const { homes, releases } = linked();
    expect(releases.released(['ck-1'], 2)).toEqual([]);
    expect(homes.homeOf('ck-1')).toBe('c-1');
    expect(releases.released(['c-1'], 3)).toEqual(['ck-1']);
    expect(homes.homeOf('ck-1')).toBe('ck-1');
    expect([...homes.entries()]).toEqual([]);
    expect(releases.pending).toBe(0);
  });

  it('keeps the group when a record was routed to the home after a release (its state may live again)', () => {
    const { homes, releases } = linked();
    expect(releases.released(['ck-1'], 2)).toEqual([]);
    // ck-1's event routed at 3, before the task's release of c-1 (at 4) reaches the router.
    releases.routed(homes.route(page('ck-1')).homeKey as string, 3);
    expect(releases.released(['c-1'], 4)).toEqual([]);
    expect(homes.homeOf('ck-1')).toBe('c-1');
    // Once the task forgets ck-1 again, after that event, the group goes.
    expect(releases.released(['ck-1'], 5)).toEqual(['ck-1']);
  });

  it('never drops a group with a key that is not released (a state kept for ever, or never held)', () => {
    const { homes, releases } = linked();
    releases.routed(homes.route(link('c-1', 'ck-2')).homeKey as string, 2);
    expect(releases.released(['c-1', 'ck-1'], 9)).toEqual([]);
    expect(homes.membersOf('c-1')).toEqual(['ck-1', 'ck-2']);
  });

  it('ignores releases of keys that are their own home, and stale ones from before a move', () => {
    const { homes, releases } = linked();
    expect(releases.released(['stranger'], 5)).toEqual([]);
    expect(releases.released(['ck-1', 'c-1'], 0)).toEqual([]); // before the link routed at 1
    // c-1's group moves to c-2 at 6: releases noted before it count for nothing there.
    const moved = homes.route(link('c-2', 'c-1'));
    releases.handedOver(moved.handover?.from as string);
    releases.routed(moved.homeKey as string, 6);
    expect(releases.released(['c-2'], 7)).toEqual([]);
    expect(releases.released(['c-1', 'ck-1'], 7).sort()).toEqual(['c-1', 'ck-1']);
  });

  it('after a restart without a release log counts only releases at or after the restored position', () => {
    const { homes } = linked();
    const restarted = new HomeReleases(homes, 10);
    expect(restarted.released(['c-1', 'ck-1'], 9)).toEqual([]);
    expect(restarted.released(['c-1', 'ck-1'], 10)).toEqual(['ck-1']);
  });

  it('logs what a restart needs: releases on record, and the positions of their homes from then on', () => {
    const { homes, releases } = linked();
    expect(releases.released(['ck-1'], 2)).toEqual([]);
    releases.routed(homes.route(page('c-1')).homeKey as string, 3);
    expect(releases.takeChanges()).toEqual({
      released: new Map([['ck-1', 2]]),
      // Logged at the release (its last routed position then), and at every record routed since.
      lastRouted: new Map([['c-1', 3]]),
    });
    // The restart: c-1's page view at 3 came after ck-1's release, which therefore counts for nothing.
    const log = { released: new Map([['ck-1', 2]]), lastRouted: new Map([['c-1', 3]]) };
    const restarted = new HomeReleases(homes, 20, undefined, log);
    expect(restarted.released(['c-1'], 4)).toEqual([]);
    expect(restarted.released(['ck-1'], 5)).toEqual(['ck-1']);
    expect(restarted.takeChanges()).toEqual({
      released: new Map([
        ['c-1', null],
        ['ck-1', null],
      ]),
      lastRouted: new Map([['c-1', null]]),
    });
  });

  it('counts releases made before a restart when the log has them', () => {
    const { homes, releases } = linked();
    expect(releases.released(['ck-1'], 2)).toEqual([]);
    const { released, lastRouted } = releases.takeChanges();
    const log = {
      released: new Map([...released].map(([k, v]) => [k, v as number])),
      lastRouted: new Map([...lastRouted].map(([k, v]) => [k, v as number])),
    };
    expect(log.lastRouted).toEqual(new Map([['c-1', 1]]));
    // A release made before the restart (position 3, below the restored 10) completes the group.
    expect(new HomeReleases(homes, 10, undefined, log).released(['c-1'], 3)).toEqual(['ck-1']);
    // Without the log it would not.
    const { homes: again } = linked();
    expect(new HomeReleases(again, 10).released(['c-1', 'ck-1'], 3)).toEqual([]);
  });

  it('forgets a logged position when the group moves away', () => {
    const { homes, releases } = linked();
    releases.released(['ck-1'], 2);
    releases.takeChanges();
    const moved = homes.route(link('c-2', 'c-1'));
    releases.handedOver(moved.handover?.from as string);
    releases.routed(moved.homeKey as string, 6);
    // c-2 has no release on record: its position is not logged.
    expect(releases.takeChanges().lastRouted).toEqual(new Map([['c-1', null]]));
  });

  it('with tasks known, counts a release only from the task of the key’s home at the time', () => {
    const homes = new IdentityHomes(policy);
    // c-… homes live in task 0, everything else in task 1.
    const taskOf = (home: string): number => (home.startsWith('c-') ? 0 : 1);
    const releases = new HomeReleases(homes, 0, taskOf);
    releases.routed(homes.route(link('c-1', 'ck-1')).homeKey as string, 1);
    // Task 1 had ck-1 before the link: its word is not about task 0, where ck-1 lives now.
    expect(releases.released(['ck-1', 'c-1'], 5, 1)).toEqual([]);
    expect(releases.released(['ck-1', 'c-1'], 5)).toEqual([]); // a release naming no task
    expect(releases.released(['ck-1', 'c-1'], 5, 0)).toEqual(['ck-1']);
  });
});
