import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dryRunCommand } from './dry-run.command';
import { explainCommand } from './explain.command';
import { keyringFromEnv } from './pseudonym-keys.input';
import { art30ReportCommand } from './report.command';
import { generateEventStream } from '@app/sample';
import { validateCommand } from './validate.command';

const policyPath = join(__dirname, '..', '..', 'policies', 'example.yaml');
const dir = mkdtempSync(join(tmpdir(), 'govern-'));

describe('govern CLI', () => {
  it('validate exits 0 with a summary for the example policy', () => {
    const out = validateCommand(policyPath);
    expect(out.exitCode).toBe(0);
    expect(out.lines[0]).toMatch(/valid, policy version 2025\.1\+/);
  });

  it('validate warns about an e-mail destination whose messages lack an opt-out (R16)', () => {
    expect(validateCommand(policyPath).lines.join('\n')).not.toContain('(R16)');
    const noOptOut = join(dir, 'no-opt-out.yaml');
    writeFileSync(
      noOptOut,
      readFileSync(policyPath, 'utf8').replace(
        'unsubscribeInEveryMessage: true',
        'unsubscribeInEveryMessage: false',
      ),
    );
    const out = validateCommand(noOptOut);
    expect(out.exitCode).toBe(0);
    expect(out.lines).toContain(
      '  warning: destination(s) whose messages do not all carry an opt-out may contact nobody (R16): email-service',
    );
  });

  it('validate exits 1 listing every error by path', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(policyPath, 'utf8')
        .replace(
          'purposes: [email.newsletter, email.own_similar_products, email.engagement_tracking]',
          'purposes: [email.newsletter, marketing]',
        )
        .replace('identifiers: pseudonym', 'identifiers: pseudonym\n    colour: blue'),
    );
    const out = validateCommand(bad);
    expect(out.exitCode).toBe(1);
    expect(out.lines).toContain('destinations.segmentation.colour: unknown property');
  });

  it('dry-run and explain refuse an invalid policy like validate: by path, exit 2, no stack trace', () => {
    const bad = join(dir, 'bad-destination.yaml');
    writeFileSync(
      bad,
      readFileSync(policyPath, 'utf8').replace('\n  email-service:\n', '\n  ../../escape:\n'),
    );
    const input = join(dir, 'any.ndjson');
    writeFileSync(input, '');
    const expected = validateCommand(bad).lines;
    expect(expected.join('\n')).toMatch(/destinations\['\.\.\/\.\.\/escape'\]: invalid name/);
    const dry = dryRunCommand({ policyPath: bad, inputPath: input, outDir: join(dir, 'never') });
    const explain = explainCommand({ policyPath: bad, inputPath: input, eventId: 'x', destination: 'y' });
    for (const out of [dry, explain]) {
      expect(out.exitCode).toBe(2);
      expect(out.lines).toEqual(expected);
      expect(out.lines.join('\n')).not.toMatch(/\n\s+at /);
    }
  });

  it('report art30 prints the record of processing as Markdown and as JSON', () => {
    const md = art30ReportCommand({ policyPath, format: 'md' });
    expect(md.exitCode).toBe(0);
    expect(md.lines[0]).toBe('# Record of processing activities (GDPR Art. 30(1))');
    expect(md.lines).toContain('## seg.purchase_history');
    const json = art30ReportCommand({ policyPath, format: 'json' });
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.lines.join('\n')) as { activities: { purpose: string }[] };
    expect(parsed.activities.map((a) => a.purpose)).toContain('order.fulfilment');
  });

  it('report art30 refuses an invalid policy like validate: by path, exit 2', () => {
    const bad = join(dir, 'no-record.yaml');
    writeFileSync(
      bad,
      readFileSync(policyPath, 'utf8').replace(
        /\n {2}competition\.administration:\n((?: {4}.*\n)*?) {4}record:\n(?: {6}.*\n)+/,
        '\n  competition.administration:\n$1',
      ),
    );
    const out = art30ReportCommand({ policyPath: bad, format: 'md' });
    expect(out.exitCode).toBe(2);
    expect(out.lines).toEqual(validateCommand(bad).lines);
    expect(out.lines.join('\n')).toContain("purposes['competition.administration'].record: missing");
  });

  it('validate warns about a forwarded attribute whose schema lets undeclared members through (R28)', () => {
    const open = join(dir, 'open-items.yaml');
    writeFileSync(
      open,
      readFileSync(policyPath, 'utf8').replace(
        '                # Closed: an item carrying anything else (an e-mail, an address) is refused (R28).\n                additionalProperties: false\n',
        '',
      ),
    );
    const out = validateCommand(open);
    expect(out.exitCode).toBe(0);
    expect(out.lines.join('\n')).toMatch(
      /warning: forwarded attribute\(s\) whose schema allows undeclared members.*checkout\/order\.completed items\[\]$/m,
    );
  });

  it('dry-run reports a bad line with its number and continues', () => {
    const input = join(dir, 'in.ndjson');
    const lines = generateEventStream({ seed: 3, customers: 20 });
    lines.splice(2, 0, 'this is not json');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = dryRunCommand({ policyPath, inputPath: input, outDir: join(dir, 'out') });
    expect(out.exitCode).toBe(0);
    expect(out.lines).toContain('  line 3: not-json: the input is not valid JSON');
    const lineage = readFileSync(join(dir, 'out', 'lineage.ndjson'), 'utf8')
      .trim()
      .split('\n');
    // Lineage v2: one record at least per input line, each of version 2.
    expect(lineage.length).toBeGreaterThanOrEqual(lines.length);
    for (const l of lineage) expect(JSON.parse(l)).toMatchObject({ lineageVersion: 2 });
    expect(readFileSync(join(dir, 'out', 'dead-letters.ndjson'), 'utf8')).toContain('"line":3');
  });

  it('dry-run writes per destination each subject’s suppressed purposes, as its compacted topic keeps', () => {
    const input = join(dir, 'suppressions.ndjson');
    writeFileSync(input, `${generateEventStream({ seed: 5, customers: 60 }).join('\n')}\n`);
    const out = dryRunCommand({ policyPath, inputPath: input, outDir: join(dir, 'out-s') });
    expect(out.exitCode).toBe(0);
    type Row = { key: string; value: { kind: string; purposes: string[] } };
    const rows = (file: string): Row[] =>
      readFileSync(join(dir, 'out-s', file), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Row);
    let latest = 0;
    for (const name of ['segmentation', 'email-service']) {
      const all = rows(`${name}.ndjson`).filter((r) => r.value.kind === 'suppression');
      const compacted = rows(`${name}.suppressions.ndjson`);
      // Per key, the union of every suppression's purposes (a later consent may have lifted some).
      const union = new Map<string, Set<string>>();
      for (const r of all)
        for (const p of r.value.purposes) union.set(r.key, (union.get(r.key) ?? new Set()).add(p));
      expect(new Set(compacted.map((r) => r.key)).size).toBe(compacted.length);
      for (const r of compacted) {
        expect(r.value.kind).toBe('suppression-state');
        expect(r.value.purposes.length).toBeGreaterThan(0);
        for (const p of r.value.purposes) expect(union.get(r.key)?.has(p)).toBe(true);
      }
      latest += compacted.length;
    }
    expect(latest).toBeGreaterThan(0);
  });

  it('dry-run writes R23’s anonymous per-campaign figures: multiples of k, no identifier, with lineage', () => {
    const input = join(dir, 'engagement.ndjson');
    const lines = generateEventStream({ seed: 5, customers: 12_500 }).slice(0, 20_000);
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = dryRunCommand({ policyPath, inputPath: input, outDir: join(dir, 'out-agg') });
    expect(out.exitCode).toBe(0);
    const rows = (file: string): Record<string, unknown>[] =>
      readFileSync(join(dir, 'out-agg', file), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Counted independently: every open and click of the input that was not dead-lettered.
    const deadLettered = new Set(rows('dead-letters.ndjson').map((d) => d.eventId));
    const counts = new Map<string, number>();
    type Engagement = { id: string; type: string; time: string; data: { campaignId?: string } };
    for (const line of lines) {
      let e: Engagement;
      try {
        e = JSON.parse(line) as Engagement;
      } catch {
        continue; // the sample's hostile lines
      }
      if ((e.type !== 'email.opened' && e.type !== 'email.clicked') || deadLettered.has(e.id)) continue;
      const day = new Date(e.time).toISOString().slice(0, 10);
      const key = JSON.stringify([e.data.campaignId, 'email', e.type, day]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const figures = rows('email-engagement.counts.ndjson') as {
      key: string;
      value: { count: number; minimumCount: number };
    }[];
    const latest = new Map(figures.map((f) => [f.key, f.value.count]));
    const expected = new Map(
      [...counts].filter(([, n]) => n >= 5).map(([k, n]) => [k, n - (n % 5)] as const),
    );
    expect(expected.size).toBeGreaterThan(0);
    expect(latest).toEqual(expected);
    for (const f of figures) expect(f.value.count % f.value.minimumCount).toBe(0);
    // No subject, event id, time of day, user agent or address in a figure.
    const text = readFileSync(join(dir, 'out-agg', 'email-engagement.counts.ndjson'), 'utf8');
    expect(text).not.toMatch(/subject|eventId|userAgent|@|T\d\d:/);
    const lineage = rows('lineage.ndjson').filter((l) => l.kind === 'aggregate-count');
    expect(lineage).toHaveLength(figures.length);
    for (const l of lineage)
      expect(l).toMatchObject({ rule: 'R23', by: 'campaignId', subject: null, eventId: null });
    expect(out.lines).toContain(
      `aggregate email-engagement: ${figures.length} figure(s) published for ${expected.size} campaign, type and day key(s), each a multiple of 5 events (R23)`,
    );
  });

  it('dry-run without a keyring uses the public demo keyring explicitly, and says so', () => {
    const input = join(dir, 'demo-keys.ndjson');
    writeFileSync(input, `${generateEventStream({ seed: 5, customers: 20 }).join('\n')}\n`);
    const out = dryRunCommand({ policyPath, inputPath: input, outDir: join(dir, 'out-demo') });
    expect(out.lines.join('\n')).toContain('pseudonyms: public demo keyring (key id demo)');
    const lineage = readFileSync(join(dir, 'out-demo', 'lineage.ndjson'), 'utf8');
    const subjects = [...lineage.matchAll(/"subject":"([^"]*)"/g)].map((m) => m[1] as string);
    expect(subjects.length).toBeGreaterThan(0);
    for (const s of subjects) expect(s).toMatch(/^demo:[0-9a-f]{32}$/);
  });

  it('dry-run takes the keyring of the environment as the engine does, and refuses a malformed one', () => {
    const secret = 'a-secret-of-at-least-thirty-two-bytes';
    const env = { GOVERN_PSEUDONYM_KEYS: `old=x${secret},new=${secret}`, GOVERN_PSEUDONYM_ACTIVE_KEY: 'new' };
    const input = keyringFromEnv(env, 2);
    if (input.failure !== undefined) throw new Error(input.failure.lines.join('\n'));
    const file = join(dir, 'env-keys.ndjson');
    writeFileSync(file, `${generateEventStream({ seed: 5, customers: 20 }).join('\n')}\n`);
    const out = dryRunCommand({
      policyPath,
      inputPath: file,
      outDir: join(dir, 'out-env'),
      pseudonymKeys: input.keyring,
    });
    expect(out.lines).toContain('pseudonyms: key id new');
    expect(readFileSync(join(dir, 'out-env', 'lineage.ndjson'), 'utf8')).toMatch(
      /"subject":"new:[0-9a-f]{32}"/,
    );
    const bad = keyringFromEnv({ GOVERN_PSEUDONYM_KEYS: secret, GOVERN_PSEUDONYM_ACTIVE_KEY: 'new' }, 2);
    expect(bad.failure?.exitCode).toBe(2);
    expect(bad.failure?.lines.join('\n')).toMatch(/^GOVERN_PSEUDONYM_KEYS \(value not shown\): entry 1/);
    expect(bad.failure?.lines.join('\n')).not.toContain(secret);
  });

  it('dry-run --topic checks every event against that topic of the policy, as the engine does', () => {
    const input = join(dir, 'one-topic.ndjson');
    const event = (id: string, source: string, type: string, data: object): string =>
      JSON.stringify({
        specversion: '1.0',
        id,
        source,
        type,
        time: '2025-03-01T10:00:00Z',
        subject: 'S1',
        data,
      });
    writeFileSync(
      input,
      [
        event('e1', 'crm', 'customer.updated', { email: 's1@example.com' }),
        event('e2', 'web', 'page.viewed', { page: { url: '/a' } }),
      ].join('\n'),
    );
    const out = dryRunCommand({ policyPath, inputPath: input, topic: 'source.crm' });
    expect(out.exitCode).toBe(0);
    expect(out.lines).toContain('dead letters: 1');
    expect(out.lines.join('\n')).toContain(
      'line 2: source-topic-mismatch: source: not the source the policy declares',
    );
    const unknown = dryRunCommand({ policyPath, inputPath: input, topic: 'source.nowhere' });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.lines[0]).toMatch(
      /^--topic: not an input topic of the policy \(declared: consent\.evidence, /,
    );
  });

  it('explain gives plain words with rule numbers and no values', () => {
    const input = join(dir, 'explain.ndjson');
    writeFileSync(
      input,
      [
        JSON.stringify({
          specversion: '1.0',
          id: 'c1',
          source: 'consent-service',
          type: 'consent.evidence',
          time: '2025-03-01T10:00:00Z',
          subject: 'S1',
          data: {
            evidenceId: 'ev1',
            kind: 'cookie-banner',
            subject: { key: 'S1' },
            timestamp: '2025-03-01T10:00:00Z',
            cmp: 'c',
            formVersion: 'banner-v1',
            textVersion: 't',
            action: 'close_x',
            uiLayer: 1,
            language: 'da',
            purposes: ['seg.web_behaviour'],
            sourceChannel: 'web',
          },
        }),
        JSON.stringify({
          specversion: '1.0',
          id: 'e1',
          source: 'web',
          type: 'page.viewed',
          time: '2025-03-01T10:01:00Z',
          subject: 'S1',
          data: { page: { url: '/secret-page' }, ip: '192.0.2.1' },
        }),
      ].join('\n'),
    );
    const out = explainCommand({ policyPath, inputPath: input, eventId: 'e1', destination: 'segmentation' });
    const text = out.lines.join('\n');
    expect(out.exitCode).toBe(0);
    expect(text).toMatch(
      /page\.url: WITHHELD for purpose "seg\.web_behaviour" on Art\. 6\(1\)\(a\) consent: the consent evidence for this purpose was not valid \(evidence ev1\) \[R1\]/,
    );
    // Named without its input key (`ip`): a key can itself be personal data.
    expect(text).toMatch(/ \*: WITHHELD: the attribute is not declared .* \[R28\]/);
    expect(text).not.toContain('ip:');
    expect(text).not.toContain('secret-page');
    expect(text).not.toContain('192.0.2.1');
  });

  it('explain follows the consent relied on through the lineage (R27), confirmation included', () => {
    const input = join(dir, 'explain-evidence.ndjson');
    const evidence = (id: string, time: string, fields: Record<string, unknown>): string =>
      JSON.stringify({
        specversion: '1.0',
        id,
        source: 'consent-service',
        type: 'consent.evidence',
        time,
        subject: 'S1',
        data: {
          evidenceId: `ev-${id}`,
          subject: { key: 'S1' },
          timestamp: time,
          cmp: 'c',
          textVersion: 't',
          uiLayer: 1,
          language: 'da',
          purposes: [],
          sourceChannel: 'web',
          ...fields,
        },
      });
    writeFileSync(
      input,
      [
        evidence('c1', '2025-03-01T10:00:00Z', {
          kind: 'marketing-consent',
          formVersion: 'newsletter-v3',
          action: 'checkbox_ticked',
          purposes: ['email.newsletter', 'seg.purchase_history', 'email.engagement_tracking'],
        }),
        evidence('c2', '2025-03-01T10:05:00Z', { kind: 'double-opt-in-confirmation', confirms: 'ev-c1' }),
        JSON.stringify({
          specversion: '1.0',
          id: 'e1',
          source: 'newsletter',
          type: 'signup.submitted',
          time: '2025-03-01T10:10:00Z',
          subject: 'S1',
          data: { email: 'secret@example.dk' },
        }),
      ].join('\n'),
    );
    const out = explainCommand({ policyPath, inputPath: input, eventId: 'e1', destination: 'email-service' });
    const text = out.lines.join('\n');
    expect(out.exitCode).toBe(0);
    expect(text).toContain('email: FORWARDED for purpose "email.newsletter"');
    expect(text).toMatch(
      /Evidence ev-c1: marketing-consent on newsletter-v3 at 2025-03-01T10:00:00Z, valid: .*\[R14\]; confirmed by ev-c2 at 2025-03-01T10:05:00Z; granted email\.newsletter, seg\.purchase_history, email\.engagement_tracking\./,
    );
    expect(text).not.toContain('secret@example.dk');
  });
});
