import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { assertTopicsMatch, createKafkaClient, ensureTopics } from '@app/kafka';
import {
  compareFigures,
  DEMO_PSEUDONYM_KEYRING,
  figuresFromDryRun,
  type Figures,
  loadPolicy,
  type PseudonymKeyring,
  replayLines,
} from '@app/policy';
import { generateEventStream } from '@app/sample';
import { type RunningAudit, startAuditService } from './audit-service';
import { captureSample } from './capture-path';
import { type RunningConsent, startConsentService } from './consent-service';
import { startServiceProcess } from './service-process';
import {
  kafkaClientSettings,
  kafkaSettingsFromEnv,
  topicReplication,
} from '@app/service-kit/config/kafka-client-settings';
import {
  describeKeyringProblems,
  engineTopicSpecs,
  engineTopics,
  figuresFromMetrics,
  parsePseudonymKeyring,
} from '@app/stream';

// The README's first command: broker, topics, engine, a generated sample through the gateway's form
// endpoints and the real topics, the engine's figures next to `govern dry-run`'s on what was
// produced, the consent service's ledger verified, then the audit service with the sample's lineage
// loaded, its console URL and an API key.

const ROOT = resolve(__dirname, '../../..');
const POLICY = join(ROOT, 'policies/example.yaml');
const CUSTOMERS = Number(process.env.SAMPLE_CUSTOMERS ?? '1000');
/** The keyring of the environment (the engine child reads the same), else the public demo keyring. */
function pseudonymKeys(): PseudonymKeyring {
  const { keyring, problems } = parsePseudonymKeyring(
    process.env.GOVERN_PSEUDONYM_KEYS,
    process.env.GOVERN_PSEUDONYM_ACTIVE_KEY,
  );
  if (problems.length > 0) throw new Error(describeKeyringProblems(problems).join('; '));
  return keyring ?? DEMO_PSEUDONYM_KEYRING;
}
// One run's topics and group: a rerun never mixes with an earlier sample. One partition keeps the
// whole sample in one task, so even identity links across subjects are decided in produced order.
const RUN = `main-job-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 4)}`;
const PREFIX = `${RUN}.`;
const PARTITIONS = 1;
/** The lineage store's database; each run gets its own schema in it. */
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/consent_governance';
const SCHEMA = RUN.replace(/-/g, '_');

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A free loopback port for the engine's HTTP side (a fixed one may be taken by another service). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 3003));
    });
  });
}

let PORT = process.env.HTTP_PORT ?? '';

async function metricsText(): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${PORT}/metrics`);
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

async function waitReady(maxSeconds: number): Promise<void> {
  for (let i = 0; i < maxSeconds * 4; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the engine did not become ready within ${maxSeconds} s`);
}

async function main(): Promise<void> {
  // The engine child process reads the same variables, so it connects as this job does.
  const settings = kafkaSettingsFromEnv(process.env);
  say(`1/8 local Kafka broker (${settings.KAFKA_BROKERS})`);
  const up = spawnSync('bash', [join(ROOT, 'deploy/local/kafka.sh'), 'up'], { stdio: 'inherit' });
  if (up.status !== 0) throw new Error('could not start the local broker (deploy/local/kafka.sh up)');

  say(`2/8 topics for ${basename(POLICY)} (prefix ${PREFIX})`);
  const policy = loadPolicy(readFileSync(POLICY, 'utf8'), { fileName: basename(POLICY) });
  const topics = engineTopics(policy, PREFIX);
  const kafka = createKafkaClient(kafkaClientSettings(settings, { clientId: 'main-job' }));
  const admin = kafka.admin();
  await admin.connect();
  const specs = engineTopicSpecs(topics, PARTITIONS, {}, topicReplication(settings));
  assertTopicsMatch(await ensureTopics(admin, specs));
  await admin.disconnect();

  PORT ||= String(await freePort());
  say(`3/8 policy engine (policy ${policy.version}, http://127.0.0.1:${PORT})`);
  const keys = pseudonymKeys();
  // The sample is generated data: demo mode lets the engine take the public demo keyring.
  say(
    `  demo mode (GOVERN_DEMO_MODE=true), pseudonym key id ${keys.activeKeyId}: a production engine refuses to start without a secret GOVERN_PSEUDONYM_KEYS`,
  );
  // The engine runs with this process's Node flags (e.g. the warning filter of `npm start`).
  const engine = startServiceProcess(ROOT, 'dist/services/policy-engine/src/main.js', {
    ...process.env,
    KAFKA_BROKERS: settings.KAFKA_BROKERS,
    POLICY_FILE: POLICY,
    HTTP_PORT: PORT,
    GOVERN_DEMO_MODE: 'true',
    ENGINE_TOPIC_PREFIX: PREFIX,
    ENGINE_GROUP_ID: RUN,
    ENGINE_PARTITIONS: String(PARTITIONS),
    LOG_LEVEL: 'warn',
  });
  let running = true;
  let audit: RunningAudit | undefined;
  let consent: RunningConsent | undefined;
  void engine.exited.then(() => {
    running = false;
  });
  try {
    await waitReady(60);

    const sample = generateEventStream({ seed: 1, customers: CUSTOMERS });
    say(
      `4/8 sending ${sample.length} generated events (${CUSTOMERS} customers): consent forms and banner choices through the gateway, the rest to the topics`,
    );
    const capture = await captureSample(
      ROOT,
      policy,
      kafka,
      settings.KAFKA_BROKERS,
      PREFIX,
      topics,
      sample,
      (n) => say(`  ${n} / ${sample.length} sent`),
    );
    say(`  through the gateway: ${[...capture.viaGateway].map(([e, n]) => `${e} ${n}`).join(', ')}`);
    say(
      `  produced directly: ${capture.direct} (source events, and evidence no gateway endpoint expresses: malformed cases, signed-in banner choices, device ids shorter than the gateway accepts, unregistered banners)`,
    );
    // Dry-run replays what was produced: the gateway's records in place of the sample's evidence.
    const lines = capture.produced;

    say('5/8 processing');
    const dry = replayLines(policy, `${lines.join('\n')}\n`, { pseudonymKeys: keys });
    const dryFigures = figuresFromDryRun(
      policy,
      dry.results.map((r) => r.result),
    );
    // The anonymous counts (R23) are counted in the step after the one that decided their events.
    const counted = (f: Figures): boolean =>
      policy.aggregates.every(
        (a) =>
          (f.get(`aggregate figures ${a.name}`) ?? 0) >= (dryFigures.get(`aggregate figures ${a.name}`) ?? 0),
      );
    let eventsIn = 0;
    let metrics = '';
    for (
      let i = 0;
      i < 1200 && (eventsIn < lines.length || !counted(figuresFromMetrics(metrics).figures)) && running;
      i++
    ) {
      await sleep(500);
      metrics = (await metricsText()) ?? metrics;
      eventsIn = figuresFromMetrics(metrics).eventsIn;
      if (i % 4 === 0 || eventsIn >= lines.length)
        say(`  ${eventsIn} / ${lines.length} events decided and committed`);
    }
    if (!running) throw new Error('the engine exited before finishing the sample (see its log above)');
    if (eventsIn < lines.length) throw new Error('the engine did not finish the sample in 10 minutes');

    say('6/8 engine versus govern dry-run on the same sample');
    const { lines: table, match } = compareFigures(figuresFromMetrics(metrics).figures, dryFigures);
    for (const l of table) say(`  ${l}`);
    say(
      match
        ? 'MATCH: the engine and govern dry-run agree on every figure.'
        : 'MISMATCH: see the rows marked above.',
    );
    process.exitCode = match ? 0 : 1;

    say(`7/8 consent service: the ledger of this run's evidence (schema ${SCHEMA}_ledger)`);
    consent = await startConsentService({
      root: ROOT,
      databaseUrl: DATABASE_URL,
      schema: `${SCHEMA}_ledger`,
      topicPrefix: PREFIX,
      groupId: `${RUN}-consent`,
      port: String(await freePort()),
      env: { ...process.env, KAFKA_BROKERS: settings.KAFKA_BROKERS },
    });
    const verified = await consent.verifyWhenSettled(capture.evidenceRecords, 300, (n) =>
      say(`  ${n} / ${capture.evidenceRecords} evidence records in the ledger`),
    );
    if (verified === null) throw new Error('the consent service did not settle its ledger in 5 minutes');
    say(
      verified.ok
        ? `  ledger verify: OK, ${verified.rowsChecked} rows and ${verified.anchorsChecked} anchors checked`
        : '  ledger verify: BROKEN (see GET /ledger/verify for the first broken row)',
    );
    if (!verified.ok || verified.rowsChecked < capture.evidenceRecords) process.exitCode = 1;

    const lineage = dry.results.reduce((n, r) => n + r.result.lineage.length, 0);
    say(
      `8/8 audit service: the lineage sink loads the sample's ${lineage} lineage records into PostgreSQL (schema ${SCHEMA})`,
    );
    audit = await startAuditService({
      root: ROOT,
      databaseUrl: DATABASE_URL,
      schema: SCHEMA,
      topicPrefix: PREFIX,
      groupId: `${RUN}-audit`,
      port: process.env.AUDIT_HTTP_PORT ?? String(await freePort()),
      env: { ...process.env, KAFKA_BROKERS: settings.KAFKA_BROKERS },
    });
    const loaded = await audit.waitForLineage(lineage, 300, (n) =>
      say(`  ${n} / ${lineage} lineage records stored`),
    );
    if (!loaded)
      throw new Error(
        "the audit service did not store the sample's lineage in 5 minutes (see its log above)",
      );
    say('');
    say(`Auditor console: ${audit.url}/console/  (API: ${audit.url}/v1, OpenAPI: ${audit.url}/docs)`);
    say(`API key (role dpo, shown once): ${audit.key}`);
    say(
      `Try: curl -s -H "Authorization: Bearer <key>" -H 'Content-Type: application/json' -d '{"identifier":"cust-00001"}' ${audit.url}/v1/persons/search`,
    );
    if (process.stdout.isTTY) {
      say('The engine and the audit service keep running: press Ctrl-C to stop them.');
      await new Promise<void>((done) => process.once('SIGINT', () => done()));
    }
  } finally {
    if (audit !== undefined) say(`audit service stopped (${String(await audit.stop())})`);
    if (consent !== undefined) say(`consent service stopped (${String(await consent.stop())})`);
    say(`engine stopped (${String(await engine.stop())})`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`main job failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
