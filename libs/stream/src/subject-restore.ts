import { type Kafka, type KafkaMessage } from 'kafkajs';
import { readTopicToEnd } from '@app/kafka';
import { type ImportOutcome } from '@app/policy';
import { errorName } from './claim-loop';
import { type DecisionCore } from './decision-core';
import { engineDeadLetter } from './record-decision';
import { type GovernedStreamObserver } from './stream-observer';
import { type PendingDeadLetter } from './stream-task';

/** Where a claim restores from and reports to. */
export interface SubjectRestore {
  readonly changelog: string;
  readonly deadLetter: string;
  /** Corrupt changelog records this instance already dead-lettered (`partition:offset`). */
  readonly reported: Set<string>;
  readonly observer?: GovernedStreamObserver;
}

/**
 * Imports one subject's latest changelog state into the task's core; true if it was restored. Why
 * no throw: a record that is not JSON or not a valid state would fail every claim of the task
 * forever. Why not start the subject afresh: a fresh state has no objection and no withdrawal, so
 * purposes on legitimate interest would flow again. The core quarantines the subject instead (its
 * events are dead-lettered as `corrupt-state`, and the quarantine moves with a handover), and the
 * record is dead-lettered as `corrupt-state` with its bytes and coordinates (once per instance) by
 * the task's next step. A quarantine marker (written when a quarantined subject was handed over)
 * keeps the quarantine without another dead letter: its record was reported where it was found.
 */
export function restoreSubject(
  restore: SubjectRestore,
  core: DecisionCore,
  key: string,
  read: { readonly partition: number; readonly message: KafkaMessage },
  pending: PendingDeadLetter[],
): boolean {
  const { partition, message } = read;
  let name = 'InvalidState';
  let outcome: ImportOutcome;
  try {
    outcome = core.importState(key, JSON.parse((message.value as Buffer).toString('utf8')) as unknown);
  } catch (error) {
    name = errorName(error);
    // Not JSON: whatever it held, it is not a state, so the core quarantines the subject.
    outcome = core.importState(key, UNREADABLE);
  }
  if (outcome !== 'quarantined') return outcome === 'restored';
  const topic = restore.changelog;
  const at = { topic, partition, offset: message.offset };
  restore.observer?.stateCorrupt?.({ ...at, error: name });
  const id = `${partition}:${message.offset}`;
  if (restore.reported.has(id)) return false;
  const verdict = {
    code: 'corrupt-state',
    reason: `changelog record is not a valid consent state (${name}); its subject is quarantined`,
  } as const;
  pending.push({
    record: engineDeadLetter(restore.deadLetter, { topic, partition, message }, verdict),
    committed: () => {
      restore.reported.add(id);
      restore.observer?.recordDeadLettered?.({ stage: 'tasks', ...at, code: verdict.code });
    },
  });
  return false;
}

/** Stands for a changelog value that is not JSON (the core quarantines anything not a state). */
const UNREADABLE = Symbol('unreadable changelog record');

/** Latest state record per subject of the wanted changelog partitions (task p writes partition p). */
export async function readLatestStates(
  kafka: Kafka,
  changelog: string,
  wanted: ReadonlySet<number>,
): Promise<Map<number, Map<string, KafkaMessage>>> {
  const out = new Map<number, Map<string, KafkaMessage>>();
  await readTopicToEnd(kafka, {
    topic: changelog,
    onBatch: ({ partition, messages }) => {
      if (!wanted.has(partition)) return;
      let latest = out.get(partition);
      if (!latest) out.set(partition, (latest = new Map()));
      for (const m of messages) {
        if (m.key === null) continue;
        if (m.value === null) latest.delete(m.key.toString('utf8'));
        else latest.set(m.key.toString('utf8'), m);
      }
    },
  });
  return out;
}
