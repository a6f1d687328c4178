import 'reflect-metadata';
import type { LineageRecord, RenderedDecision } from '@app/contracts';
import {
  explainEvent,
  figuresFromDryRun,
  lineagePseudonym,
  processingRecord,
  renderLineage,
} from '@app/policy';
import { call, type AuditStack } from './support/audit-stack';
import { type DecidedSample } from './support/lineage-fixture';
import { startStackWithEngineLineage, type StackWithLineage } from './support/engine-lineage';
import { PSEUDONYM_KEYS } from '../../../test/engine/support/test-keyring';

interface ExplainView {
  explanations: { destination: string; lines: string[] }[];
  decisions: RenderedDecision[];
}
interface ExportView {
  recipients: { destination: string; decisions: number }[];
  held: { source: string; path: string }[];
  consentHistory: { evidenceId: string }[];
}

// The auditor's questions answered from the lineage store, checked against the decision core on the
// same generated stream: explain equals `govern explain`, the export lists what the lineage shows.
describe('auditor questions on a generated stream', () => {
  let real: StackWithLineage;
  let stack: AuditStack;
  let sample: DecidedSample;

  beforeAll(async () => {
    real = await startStackWithEngineLineage(40, 7);
    ({ stack, sample } = real);
  }, 120_000);
  afterAll(async () => {
    await real?.close();
  });

  it('explains every decision of the stream exactly as govern explain does, for every destination', async () => {
    const decided = sample.results.filter((r) => r.result.lineage.some((l) => l.kind === 'decision'));
    expect(decided.length).toBeGreaterThan(100);
    let compared = 0;
    for (const r of decided) {
      const eventId = r.result.eventId as string;
      const res = await call(stack, 'GET', `/v1/events/${encodeURIComponent(eventId)}/explain`, {
        token: stack.keys.auditor,
      });
      expect(res.status).toBe(200);
      const view = res.body as ExplainView;
      for (const d of sample.policy.destinations) {
        const cli = explainEvent(sample.policy, sample.results, eventId, d.name);
        expect(view.explanations.find((x) => x.destination === d.name)?.lines).toEqual(cli.lines);
        compared += 1;
      }
    }
    expect(compared).toBe(decided.length * sample.policy.destinations.length);
  }, 300_000);

  it('finds a person by e-mail in any case, and lists in the export exactly the destinations the lineage shows', async () => {
    for (const customer of ['cust-00001', 'cust-00002', 'cust-00005', 'cust-00011']) {
      const search = await call(stack, 'POST', '/v1/persons/search', {
        body: { identifier: customer },
        token: stack.keys.dpo,
      });
      const subjects = (search.body as { subjects: { pseudonym: string; inLineage: boolean }[] }).subjects;
      const own = lineagePseudonym(PSEUDONYM_KEYS, customer);
      expect(subjects.find((s) => s.pseudonym === own)?.inLineage).toBe(true);
      const upper = await call(stack, 'POST', '/v1/persons/search', {
        body: { identifier: ` ${customer.toUpperCase()}@EXAMPLE.DK ` },
        token: stack.keys.dpo,
      });
      const byMail = lineagePseudonym(PSEUDONYM_KEYS, `${customer}@example.dk`);
      expect(
        (upper.body as { subjects: { pseudonym: string }[] }).subjects.map((s) => s.pseudonym),
      ).toContain(byMail);

      const exported = await call(stack, 'GET', `/v1/persons/${own}/access-export`, {
        token: stack.keys.dpo,
      });
      expect(exported.status).toBe(200);
      const view = exported.body as ExportView;
      const linked = new Set([
        own,
        ...sample.lineage.flatMap((l) =>
          l.kind === 'identity-link' && l.linked && (l.subject === own || l.alias === own)
            ? [l.subject as string, l.alias]
            : [],
        ),
      ]);
      const mine = sample.lineage.filter((l: LineageRecord) => l.subject !== null && linked.has(l.subject));
      const reached = new Set(
        renderLineage(sample.policy, mine)
          .filter((d) => d.outcome !== 'withheld')
          .map((d) => d.destination),
      );
      expect(view.recipients.map((r) => r.destination).sort()).toEqual([...reached].sort());
      const assessed = mine.flatMap((l) => (l.kind === 'consent-assessment' ? [l.evidenceId] : []));
      expect(view.consentHistory.map((c) => c.evidenceId)).toEqual(assessed);
    }
  });

  it('renders the timeline with per-attribute outcome, reason, rule, purpose, basis and evidence', async () => {
    const own = lineagePseudonym(PSEUDONYM_KEYS, 'cust-00002');
    const page = (
      await call(stack, 'GET', `/v1/persons/${own}/timeline?limit=200`, { token: stack.keys.auditor })
    ).body as {
      items: { record: LineageRecord; decisions?: RenderedDecision[] }[];
    };
    const records = sample.lineage.filter(
      (l) => l.subject === own || (l.kind === 'identity-link' && l.alias === own),
    );
    expect(page.items.map((i) => i.record)).toEqual(records);
    const rendered = page.items.flatMap((i) => i.decisions ?? []);
    expect(rendered).toEqual(renderLineage(sample.policy, records));
    expect(rendered.length).toBeGreaterThan(0);
  });

  it('answers the consent behind a decision, and a recall by form version with counts per destination', async () => {
    const assessment = sample.lineage.find(
      (l) => l.kind === 'consent-assessment' && l.valid && l.formVersion === 'banner-v1',
    );
    expect(assessment).toBeDefined();
    if (assessment?.kind !== 'consent-assessment') return;
    const consent = await call(stack, 'GET', `/v1/evidence/${encodeURIComponent(assessment.evidenceId)}`, {
      token: stack.keys.auditor,
    });
    expect(consent.status).toBe(200);
    expect((consent.body as { assessment: unknown }).assessment).toEqual(assessment);

    const recall = (
      await call(stack, 'GET', '/v1/recalls?formVersion=banner-v1&limit=200', { token: stack.keys.auditor })
    ).body as {
      evidence: number;
      perDestination: { destination: string; subjects: number; decisions: number }[];
      page: { items: { subject: string; destinations: { destination: string }[] }[] };
    };
    const onForm = new Set(
      sample.lineage.flatMap((l) =>
        l.kind === 'consent-assessment' && l.formVersion === 'banner-v1' ? [l.evidenceId] : [],
      ),
    );
    expect(recall.evidence).toBe(onForm.size);
    // A tool was reached under the version when data it received, or the contact it was allowed with
    // that data, relied on evidence captured on it.
    const expected = new Map<string, Set<string>>();
    for (const d of renderLineage(sample.policy, sample.lineage)) {
      if (d.outcome === 'withheld') continue;
      const relied =
        d.attributes.some(
          (a) => a.outcome !== 'withhold' && a.evidenceId !== null && onForm.has(a.evidenceId),
        ) ||
        (d.contact?.mayContact === true && d.contact.evidenceId !== null && onForm.has(d.contact.evidenceId));
      if (relied) expected.set(d.destination, (expected.get(d.destination) ?? new Set()).add(d.subject));
    }
    expect(expected.size).toBeGreaterThan(0);
    expect(Object.fromEntries(recall.perDestination.map((p) => [p.destination, p.subjects]))).toEqual(
      Object.fromEntries([...expected].map(([k, v]) => [k, v.size])),
    );
    // The persons listed are those who gave evidence on the version, each with the tools reached.
    const givers = new Set(
      sample.lineage.flatMap((l) =>
        l.kind === 'consent-assessment' && l.formVersion === 'banner-v1' && l.subject !== null
          ? [l.subject]
          : [],
      ),
    );
    expect(new Set(recall.page.items.map((i) => i.subject))).toEqual(givers);
  });

  it('gives the dashboard the figures dry-run gives: forwarded and withheld by reason per destination, dead letters by code', async () => {
    const want = figuresFromDryRun(
      sample.policy,
      sample.results.map((r) => r.result),
    );
    // From the sample's earliest record to today (a record without a time of its own, not-json, is
    // filed under the day the broker received it), in ranges the API accepts (at most 800 days).
    const DAY = 86_400_000;
    const first = Date.parse(
      `${sample.lineage
        .flatMap((l) => (l.time === null ? [] : [l.time]))
        .sort()[0]
        ?.slice(0, 10)}T00:00:00Z`,
    );
    const decisions: { rows: { metric: string; destination: string; reason: string; count: number }[] } = {
      rows: [],
    };
    const dead: { rows: { reason: string; count: number }[] } = { rows: [] };
    for (let from = first; from <= Date.now(); from += 800 * DAY) {
      const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
      const q = `from=${day(from)}&to=${day(from + 799 * DAY)}`;
      const d = await call(stack, 'GET', `/v1/statistics/decisions?${q}`, { token: stack.keys.auditor });
      const x = await call(stack, 'GET', `/v1/statistics/dead-letters?${q}`, { token: stack.keys.auditor });
      expect([d.status, x.status]).toEqual([200, 200]);
      decisions.rows.push(...(d.body as typeof decisions).rows);
      dead.rows.push(...(x.body as typeof dead).rows);
    }
    // dry-run reports every declared aggregate, with 0 when it published no figure.
    const got = new Map<string, number>(
      sample.policy.aggregates.map((a) => [`aggregate figures ${a.name}`, 0]),
    );
    const add = (key: string, n: number): void => void got.set(key, (got.get(key) ?? 0) + n);
    for (const r of decisions.rows)
      if (r.metric === 'forwarded') add(`forwarded ${r.destination}`, r.count);
      else if (r.metric === 'withheld') add(`withheld ${r.destination} ${r.reason}`, r.count);
      else if (r.metric === 'suppression') add(`suppressions ${r.destination}`, r.count);
      else if (r.metric === 'aggregate-figure') add(`aggregate figures ${r.destination}`, r.count);
    for (const r of dead.rows) add(`dead letters ${r.reason}`, r.count);
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...want].sort()));
  });

  it('explains consent evidence as govern explain does, and a dead letter without its input line number', async () => {
    let compared = 0;
    for (const r of sample.results) {
      const eventId = r.result.eventId;
      if (eventId === null || (r.result.assessment === undefined && r.result.deadLetter === undefined))
        continue;
      const res = await call(stack, 'GET', `/v1/events/${encodeURIComponent(eventId)}/explain`, {
        token: stack.keys.auditor,
      });
      if (res.status === 404) continue; // a dead letter without a usable event id has no lineage of its own
      expect(res.status).toBe(200);
      const view = res.body as ExplainView;
      for (const d of sample.policy.destinations) {
        const cli = explainEvent(sample.policy, sample.results, eventId, d.name).lines.map((l) =>
          l.replace(/ \(line \d+\)/, ''),
        );
        expect(view.explanations.find((x) => x.destination === d.name)?.lines).toEqual(cli);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('pages a timeline with cursors: every record once, in the same order as one page', async () => {
    const own = lineagePseudonym(PSEUDONYM_KEYS, 'cust-00018');
    type TimelinePage = { items: { position: string; record: LineageRecord }[]; nextCursor: string | null };
    const whole = (
      await call(stack, 'GET', `/v1/persons/${own}/timeline?limit=200`, { token: stack.keys.auditor })
    ).body as TimelinePage;
    const paged: TimelinePage['items'] = [];
    let cursor: string | null = null;
    do {
      const page = (
        await call(
          stack,
          'GET',
          `/v1/persons/${own}/timeline?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
          {
            token: stack.keys.auditor,
          },
        )
      ).body as TimelinePage;
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(whole.items.length).toBeGreaterThan(4);
    expect(paged).toEqual(whole.items);
  });

  it('serves the record of processing (Art. 30) of the policy the engine published', async () => {
    const res = await call(stack, 'GET', '/v1/reports/art30', { token: stack.keys.auditor });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(processingRecord(sample.policy))));
  });
});
