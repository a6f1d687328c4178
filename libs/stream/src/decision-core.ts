import { type CompiledPolicy, GovernanceProcessor, type ProcessorOptions } from '@app/policy';

/**
 * What the stream runtime uses of the decision core: deciding one record (structured or binary
 * mode) and moving a subject's state in and out (restore, changelog, handover).
 */
export type DecisionCore = Pick<
  GovernanceProcessor,
  'process' | 'processBinary' | 'exportState' | 'importState'
>;

/**
 * Creates the decision core of one task. The default is the real processor; a host may wrap what it
 * returns (tracing, timing, fault injection), keeping its semantics, as it may wrap producers.
 */
export type DecisionCoreSupplier = (policy: CompiledPolicy, options: ProcessorOptions) => DecisionCore;

/** The default {@link DecisionCoreSupplier}: the policy library's processor, unwrapped. */
export const governanceCore: DecisionCoreSupplier = (policy, options) =>
  new GovernanceProcessor(policy, options);
