import fc from 'fast-check';
import { generateEventStream } from '@app/sample';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, renderLineage } from '@app/policy';
import { consentEvent, examplePolicy, sourceEvent } from './rule-fixture.harness';
import { DECLARED_NESTED, isDeclaredPath, runNested, valuePaths } from './nested-payload.harness';

/** Every member name the nested policy declares, at any level: undeclared junk never uses one. */
const DECLARED_NAMES = new Set([...DECLARED_NESTED].flatMap((p) => p.split(/\.|\[\]/)));

/**
 * Undeclared members with any JSON value, merged into an object at some depth. Names may hold path
 * syntax (`.`, `*`, `[`, `]`): lineage names undeclared members by declared paths only, never by
 * their own keys, so a key such as `.*` cannot pass for a drop marker.
 */
const junk = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !DECLARED_NAMES.has(k) && k !== '__proto__'),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
);
/**
 * Whether a lineage attribute path is built from declared names only: a declared path, `*` (the
 * payload's undeclared members), a declared path followed by `.*` (its undeclared members) or by
 * `[]` (elements of a declared array that are not objects).
 */
function namesNoInputKey(path: string): boolean {
  if (path === '*') return true;
  const base = (path.endsWith('.*') ? path.slice(0, -2) : path).replace(/(\[\])+$/, '');
  return isDeclaredPath(base);
}

const withJunk = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(arb, junk).map(([declared, extra]) => ({ ...extra, ...declared }));

/** A valid `shop/order.placed` payload with undeclared members at every level that allows them. */
const nestedPayload = withJunk(
  fc.record(
    {
      orderId: fc.string(),
      items: fc.array(
        withJunk(
          fc.record(
            {
              sku: fc.string(),
              qty: fc.integer(),
              options: withJunk(
                fc.record({ size: fc.string(), tags: fc.array(fc.string()) }, { requiredKeys: [] }),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        { maxLength: 3 },
      ),
      shipTo: withJunk(
        fc.record(
          { city: fc.string(), geo: fc.record({ lat: fc.double({ noNaN: true }) }) },
          { requiredKeys: [] },
        ),
      ),
      matrix: fc.array(
        fc.array(withJunk(fc.record({ v: fc.integer() }, { requiredKeys: [] })), { maxLength: 2 }),
        {
          maxLength: 2,
        },
      ),
      notes: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
      blob: fc.jsonValue({ maxDepth: 3 }),
      choice: withJunk(fc.record({ a: fc.string(), b: fc.string() }, { requiredKeys: [] })),
      meta: withJunk(fc.record({ channel: fc.string() }, { requiredKeys: [] })),
      undescribed: fc.jsonValue({ maxDepth: 3 }),
      // Declared by element paths: junk in elements and their members, and elements that are not objects.
      parcels: fc.array(
        fc.oneof(
          withJunk(
            fc.record(
              {
                id: fc.string(),
                weightKg: fc.double({ noNaN: true, noDefaultInfinity: true }),
                dims: withJunk(fc.record({ w: fc.integer(), h: fc.integer() }, { requiredKeys: [] })),
              },
              { requiredKeys: [] },
            ),
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: ['orderId'] },
  ),
);

/**
 * Everything one fresh processor emits for `lines`, one JSON line per input line: records, lineage,
 * dead letter and the states it changed (serialised when they changed, as the engine does).
 */
function runLines(lines: readonly string[], pseudonymKeys = DEMO_PSEUDONYM_KEYRING): string[] {
  const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys });
  return lines.map((l) => {
    const r = p.process(l);
    return JSON.stringify([r.records, r.lineage, r.deadLetter ?? null, r.stateChanges]);
  });
}

function forwardedPaths(lines: readonly string[]): number {
  const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  let n = 0;
  for (const l of lines) {
    for (const d of renderLineage(examplePolicy, p.process(l).lineage))
      n += d.attributes.filter((a) => a.outcome !== 'withhold').length;
  }
  return n;
}

describe('properties', () => {
  it('R28 an undeclared attribute is never forwarded', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((k) => !['page', 'basketSize', '__proto__'].includes(k)),
        fc.jsonValue(),
        (key, value) => {
          const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
          p.process({
            specversion: '1.0',
            id: 'c',
            source: 'consent-service',
            type: 'consent.evidence',
            time: '2025-01-01T00:00:00Z',
            subject: 'S',
            data: {
              evidenceId: 'e',
              kind: 'cookie-banner',
              subject: { key: 'S' },
              timestamp: '2025-01-01T00:00:00Z',
              cmp: 'c',
              formVersion: 'banner-v1',
              textVersion: 't',
              action: 'accept_all',
              uiLayer: 1,
              language: 'da',
              purposes: [],
              sourceChannel: 'web',
            },
          });
          const r = p.process({
            specversion: '1.0',
            id: 'x',
            source: 'web',
            type: 'page.viewed',
            time: '2025-01-02T00:00:00Z',
            subject: 'S',
            data: { page: { url: '/a' }, [key]: value },
          });
          for (const rec of r.records) {
            if (rec.value.kind === 'data') expect(Object.keys(rec.value.data)).not.toContain(key);
          }
          // Nor is it named in lineage: an input key can itself be personal data.
          for (const d of renderLineage(examplePolicy, r.lineage))
            for (const a of d.attributes) expect(['page.url', '*']).toContain(a.path);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('R28 nothing undeclared is forwarded at any depth of objects and arrays', () => {
    fc.assert(
      fc.property(nestedPayload, (data) => {
        const run = runNested(data);
        expect(run.result.deadLetter).toBeUndefined();
        for (const sent of run.data.values())
          for (const path of valuePaths(sent)) expect(isDeclaredPath(path)).toBe(true);
        // Undeclared content is named only by declared paths in lineage, never by an input key.
        for (const l of run.lineage.values())
          for (const a of l.attributes) expect(namesNoInputKey(a.path)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('R21 an order line reaches segmentation with what it may receive and never with its price', () => {
    const line = fc.record(
      {
        sku: fc.string({ minLength: 1 }),
        productGroup: fc.constantFrom('running_shoes', 'outdoor_gear'),
        priceDkk: fc.nat(),
      },
      { requiredKeys: ['sku', 'productGroup'] },
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 5 }), (items) => {
        const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
        const t = '2025-03-01T10:00:00Z';
        p.process(
          consentEvent({
            id: 'c1',
            subject: 'S',
            time: t,
            kind: 'marketing-consent',
            form: 'newsletter-v3',
            action: 'checkbox_ticked',
            purposes: ['seg.purchase_history'],
          }),
        );
        p.process(
          consentEvent({
            id: 'c2',
            subject: 'S',
            time: '2025-03-01T10:01:00Z',
            kind: 'double-opt-in-confirmation',
            extra: { confirms: 'ev-c1' },
          }),
        );
        const r = p.process(
          sourceEvent({
            id: 'e1',
            subject: 'S',
            time: '2025-03-02T10:00:00Z',
            source: 'checkout',
            type: 'order.completed',
            data: { orderId: 'o', email: 'a@example.dk', items, totalDkk: 1 },
          }),
        );
        const seg = r.records.find((rec) => rec.destination === 'segmentation');
        const data = seg?.value.kind === 'data' ? seg.value.data : undefined;
        expect(data?.items).toEqual(items.map(({ sku, productGroup }) => ({ sku, productGroup })));
      }),
      { numRuns: 200 },
    );
  });

  it('R18 withdrawing consent never increases what is forwarded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const lines = generateEventStream({ seed, customers: 16 });
        const withdrawals = lines.flatMap((l, i) => {
          const subject = (JSON.parse(l.endsWith('}') ? l : '{}') as { subject?: string }).subject;
          return subject === undefined || i % 5 !== 0
            ? []
            : [
                JSON.stringify({
                  specversion: '1.0',
                  id: `w${i}`,
                  source: 'consent-service',
                  type: 'consent.evidence',
                  time: '2025-01-01T00:00:00Z',
                  subject,
                  data: {
                    evidenceId: `w${i}`,
                    kind: 'withdrawal',
                    subject: { key: subject },
                    timestamp: '2025-01-01T00:00:00Z',
                    withdrawal: { all: true },
                  },
                }),
              ];
        });
        const mixed = lines.flatMap((l, i) =>
          i % 5 === 0 && withdrawals.length > 0 ? [withdrawals.shift() as string, l] : [l],
        );
        expect(forwardedPaths(mixed)).toBeLessThanOrEqual(forwardedPaths(lines));
      }),
      { numRuns: 15 },
    );
  });

  it('output is deterministic: two fresh processors fed the same lines emit the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const lines = generateEventStream({ seed, customers: 20 });
        expect(generateEventStream({ seed, customers: 20 })).toEqual(lines);
        const first = runLines(lines);
        // Decisions, not only dead letters, are compared (a line processed twice on one processor
        // is a duplicate the second time).
        expect(first.filter((o) => o.includes('"kind":"decision"')).length).toBeGreaterThan(0);
        expect(runLines(lines)).toEqual(first);
      }),
      { numRuns: 10 },
    );
  });

  it('the determinism check sees a difference when there is one', () => {
    const lines = generateEventStream({ seed: 1, customers: 20 });
    expect(
      runLines(lines, { activeKeyId: 'other', secrets: new Map([['other', 'another key']]) }),
    ).not.toEqual(runLines(lines));
  });
});
