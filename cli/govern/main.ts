import { writeSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { dryRunCommand, EXIT_UNUSABLE_INPUT } from './dry-run.command';
import { explainCommand } from './explain.command';
import { registerLedgerCommand } from './ledger.command';
import { keyringFromEnv } from './pseudonym-keys.input';
import { registerKeysCommand } from './keys.command';
import { art30ReportCommand, type ReportFormat } from './report.command';
import { registerTokenCommand } from './token.command';
import { registerTopicsCommand } from './topics.command';
import { type PseudonymKeyring } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { type CommandOutput, validateCommand } from './validate.command';

// The CLI is a thin adapter: file I/O and exit codes here, every decision in libs/policy.

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function reportFormat(value: string): ReportFormat {
  if (value !== 'md' && value !== 'json') throw new InvalidArgumentError('must be md or json');
  return value;
}

function finish(output: CommandOutput): void {
  const text = output.lines.join('\n');
  if (output.exitCode === 0) process.stdout.write(`${text}\n`);
  else process.stderr.write(`${text}\n`);
  process.exitCode = output.exitCode;
}

/**
 * Runs a replay command with the keyring of the environment (or the public demo keyring when none
 * is set); malformed keyring settings stop it, named, never quoted.
 */
function withKeyring(run: (keyring: PseudonymKeyring | undefined) => CommandOutput): void {
  const input = keyringFromEnv(process.env, EXIT_UNUSABLE_INPUT);
  if (input.failure !== undefined) return finish(input.failure);
  finish(run(input.keyring));
}

const program = new Command()
  .name('govern')
  .description('Consent-aware data governance: validate a policy, replay events, explain decisions.');

program
  .command('validate')
  .argument('<policy>', 'policy YAML file')
  .description('validate a policy file; exit 1 listing every error by path')
  .action((policy: string) => finish(validateCommand(policy)));

program
  .command('dry-run')
  .requiredOption('--policy <file>', 'policy YAML file')
  .requiredOption(
    '--input <file>',
    'NDJSON of CloudEvents (consent evidence and source events, in time order)',
  )
  .option('--out <dir>', 'write <destination>.ndjson, lineage.ndjson and dead-letters.ndjson here')
  .option(
    '--topic <topic>',
    'every line was read from this input topic of the policy (e.g. source.crm): check each event against it',
  )
  .description('replay events through the decision core exactly as the stream would')
  .action((o: { policy: string; input: string; out?: string; topic?: string }) =>
    withKeyring((pseudonymKeys) =>
      dryRunCommand({
        policyPath: o.policy,
        inputPath: o.input,
        outDir: o.out,
        pseudonymKeys,
        topic: o.topic,
      }),
    ),
  );

program
  .command('explain')
  .requiredOption('--policy <file>', 'policy YAML file')
  .requiredOption('--input <file>', 'NDJSON of CloudEvents')
  .requiredOption('--event <id>', 'CloudEvent id to explain')
  .requiredOption('--destination <name>', 'destination name')
  .description('explain, attribute by attribute, why an event was or was not forwarded')
  .action((o: { policy: string; input: string; event: string; destination: string }) =>
    withKeyring((pseudonymKeys) =>
      explainCommand({
        policyPath: o.policy,
        inputPath: o.input,
        eventId: o.event,
        destination: o.destination,
        pseudonymKeys,
      }),
    ),
  );

program
  .command('generate')
  .option('--seed <n>', 'PRNG seed', positiveInt, 1)
  .option('--customers <n>', 'number of customers', positiveInt, 100)
  .description('write a deterministic synthetic NDJSON stream for policies/example.yaml to stdout')
  .action((o: { seed: number; customers: number }) => {
    const lines = generateEventStream({ seed: o.seed, customers: o.customers });
    // Chunked synchronous writes: large streams, no unbounded buffering.
    for (let i = 0; i < lines.length; i += 1000) writeSync(1, `${lines.slice(i, i + 1000).join('\n')}\n`);
  });

program
  .command('report')
  .description('reports generated from the policy')
  .command('art30')
  .requiredOption('--policy <file>', 'policy YAML file')
  .option('--format <format>', 'md or json', reportFormat, 'md' as ReportFormat)
  .description('print the record of processing activities (GDPR Art. 30) the policy describes')
  .action((o: { policy: string; format: ReportFormat }) =>
    finish(art30ReportCommand({ policyPath: o.policy, format: o.format })),
  );

registerTopicsCommand(program);
registerTokenCommand(program, finish);
registerLedgerCommand(program, finish);
registerKeysCommand(program);
program.parse(process.argv);
