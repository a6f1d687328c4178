import type { CompiledPolicy } from '@app/policy';
import { refuse, type AdapterResult, type CaptureContext } from './adapter.types';
import { checked } from './banner-evidence';

/**
 * Maps a Global Privacy Control header (`Sec-GPC: 1`) onto evidence: an objection to the purposes
 * the policy lists as selling or sharing data (`options.gpcObjectsTo`). The contract's `objection`
 * kind is R19's objection to all direct marketing and has no scope, so the signal is recorded as a
 * withdrawal of exactly those purposes (R18), which the core honours at once. Only the value `1`
 * is a signal (the GPC specification); anything else, or no header, records nothing.
 */
export function adaptGpc(policy: CompiledPolicy, header: unknown, context: CaptureContext): AdapterResult {
  if (header === undefined || header === null) return refuse('nothing-to-record', 'payload', 'no GPC header');
  if (typeof header !== 'string') return refuse('malformed', 'payload', 'must be the Sec-GPC header value');
  if (header.trim() !== '1') return refuse('nothing-to-record', 'payload', 'only "1" is a GPC signal');
  const purposes = policy.options.gpcObjectsTo;
  if (purposes.length === 0)
    return refuse(
      'nothing-to-record',
      'policy.options.gpcObjectsTo',
      'the policy names no purposes GPC objects to',
    );
  return checked({
    evidenceId: context.evidenceId,
    kind: 'withdrawal',
    subject: { key: context.subjectKey },
    timestamp: context.receivedAt,
    cmp: 'gpc',
    action: 'gpc_signal',
    sourceChannel: context.sourceChannel,
    ...(context.url === undefined ? {} : { url: context.url }),
    withdrawal: { purposes: [...purposes] },
  });
}
