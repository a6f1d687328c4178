/**
 * `npm run bench:gateway`: event ingestion through the real gateway (the built service, in its own
 * process, on the local broker) and, in the same run, through a bare Fastify endpoint that produces
 * the same messages with kafkajs (gateway-bare.ts, in a process of its own too), both loaded by
 * autocannon from this process with the same connections, duration and bodies (a new event id per
 * request, so the gateway's idempotency window never short-cuts one). Prints one JSON line:
 * `{"bench":"gateway","requests_per_s","p99_ms","bare_requests_per_s","ratio",...}`.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createKafkaClient, waitForTopicLeaders } from '@app/kafka';
import { kafkaClientSettings, kafkaSettingsFromEnv } from '@app/service-kit';
import { startBareEndpoint } from './gateway-bare';

const SETTINGS = kafkaSettingsFromEnv(process.env);
const CLIENT = kafkaClientSettings(SETTINGS, { clientId: 'bench-gateway' });
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? '15');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '64');
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? '3');
const API_KEY = `bench-${randomUUID()}`;
const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** One CRM event per request, each with its own id and one of 10,000 subjects. */
function eventBody(n: number): string {
  return JSON.stringify({
    specversion: '1.0',
    id: `bench-${n}-${randomUUID()}`,
    source: 'crm',
    type: 'customer.updated',
    time: new Date().toISOString(),
    subject: `cust-${n % 10000}`,
    data: { email: `person${n % 10000}@example.dk`, firstName: 'Anna', city: 'Aarhus' },
  });
}

async function load(
  url: string,
): Promise<{ rps: number; p99: number; p50: number; non2xx: number; total: number }> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        path: '/v1/events/crm',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        setupRequest: (request) => ({ ...request, body: eventBody(n++) }),
      },
    ],
  });
  return {
    rps: Math.round(result.requests.average),
    p99: result.latency.p99,
    p50: result.latency.p50,
    non2xx: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
  };
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the gateway did not become ready');
}

/** Child process mode: the bare endpoint, reporting its URL to the parent. */
async function serveBare(topic: string): Promise<void> {
  const bare = await startBareEndpoint(CLIENT, topic);
  process.send?.({ url: bare.url });
  process.on('SIGTERM', () => void bare.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const prefix = `bench-gw-${randomUUID().slice(0, 8)}.`;
  const admin = createKafkaClient(CLIENT).admin();
  await admin.connect();
  const gatewayTopic = `${prefix}source.crm`;
  const bareTopic = `${prefix}bare.source.crm`;
  await admin.createTopics({
    topics: [gatewayTopic, bareTopic].map((topic) => ({ topic, numPartitions: PARTITIONS })),
  });
  await waitForTopicLeaders(admin, [gatewayTopic, bareTopic]);
  await admin.disconnect();

  const port = 20000 + Math.floor(Math.random() * 20000);
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const gateway = spawn(
    process.execPath,
    ['--disable-warning=TimeoutNegativeWarning', join(__dirname, '../services/gateway/src/main.js')],
    {
      env: {
        ...process.env,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        GATEWAY_TOPIC_PREFIX: prefix,
        GATEWAY_SOURCE_KEYS: `crm=${createHash('sha256').update(API_KEY).digest('hex')}`,
        GATEWAY_RATE_PER_S: '1000000',
        GATEWAY_RATE_BURST: '10000000',
        GATEWAY_DOCS: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const bare = fork(__filename, ['bare', bareTopic], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    await waitReady(gatewayUrl, gateway);
    const bareUrl = await new Promise<string>((resolve) =>
      bare.once('message', (m: { url: string }) => resolve(m.url)),
    );
    // A short warm-up of each (connections, JIT, the producers' first metadata), then the measured runs.
    for (const url of [gatewayUrl, bareUrl])
      await autocannon({
        url,
        duration: 2,
        connections: 8,
        method: 'POST',
        requests: [
          {
            method: 'POST',
            path: '/v1/events/crm',
            headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
            body: eventBody(0),
          },
        ],
      });
    const g = await load(gatewayUrl);
    const b = await load(bareUrl);
    say(
      JSON.stringify({
        bench: 'gateway',
        requests_per_s: g.rps,
        p99_ms: g.p99,
        p50_ms: g.p50,
        bare_requests_per_s: b.rps,
        bare_p99_ms: b.p99,
        ratio: Math.round((g.rps / b.rps) * 100) / 100,
        gateway_failed: g.non2xx,
        bare_failed: b.non2xx,
        gateway_requests: g.total,
        bare_requests: b.total,
        connections: CONNECTIONS,
        duration_s: DURATION_S,
        partitions: PARTITIONS,
      }),
    );
  } finally {
    gateway.kill('SIGTERM');
    bare.kill('SIGTERM');
  }
}

if (process.argv[2] === 'bare') void serveBare(process.argv[3]);
else
  main().catch((error: unknown) => {
    process.stderr.write(`bench:gateway: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
