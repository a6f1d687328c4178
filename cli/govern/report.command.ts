import { processingRecord, processingRecordMarkdown } from '@app/policy';
import { type CommandOutput, readPolicyFile } from './policy-input';

/** Output formats of `govern report art30`. */
export type ReportFormat = 'md' | 'json';

/** `govern report art30`: the record of processing the policy describes; exit 2 on an invalid policy. */
export function art30ReportCommand(options: { policyPath: string; format: ReportFormat }): CommandOutput {
  const loaded = readPolicyFile(options.policyPath, 2);
  if (loaded.failure !== undefined) return loaded.failure;
  const report = processingRecord(loaded.policy);
  return {
    exitCode: 0,
    lines: options.format === 'json' ? [JSON.stringify(report, null, 2)] : processingRecordMarkdown(report),
  };
}
