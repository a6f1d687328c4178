import { DEMO_PSEUDONYM_KEYRING, destinationPseudonym } from '@app/policy';
import { isDeclaredPath, runNested, valuePaths } from './nested-payload.harness';

/** A CPR number and other personal data that no schema in the nested policy declares. */
const CPR = '010190-1234';
const PERSONAL = { customerEmail: 'a@example.dk', cpr: CPR, name: 'Jane Doe', street: 'Vej 1' };

interface Case {
  readonly name: string;
  readonly data: Record<string, unknown>;
  /** What the warehouse destination receives. */
  readonly forwarded: Record<string, unknown>;
  /** Undeclared paths the lineage must name (declared style inside attributes). */
  readonly listed: readonly string[];
  /** Undeclared paths or members counted in all. */
  readonly total: number;
}

const base = { orderId: 'o1' };
const CASES: readonly Case[] = [
  {
    name: 'undeclared members of an array element',
    data: { ...base, items: [{ sku: 'a', ...PERSONAL }] },
    forwarded: { ...base, items: [{ sku: 'a' }] },
    listed: ['items[].*'],
    total: 4,
  },
  {
    name: 'an undeclared object inside an array element (shipTo with name and street)',
    data: { ...base, items: [{ sku: 'a', shipTo: { name: 'Jane', street: 'Vej 1' } }] },
    forwarded: { ...base, items: [{ sku: 'a' }] },
    listed: ['items[].*'],
    total: 1,
  },
  {
    name: 'every element of an array is projected',
    data: { ...base, items: [{ sku: 'a', cpr: CPR }, { sku: 'b', qty: 2, email: 'x' }, { qty: 1 }] },
    forwarded: { ...base, items: [{ sku: 'a' }, { sku: 'b', qty: 2 }, { qty: 1 }] },
    listed: ['items[].*'],
    total: 2,
  },
  {
    name: 'undeclared members two levels down in an array element',
    data: { ...base, items: [{ sku: 'a', options: { size: 'M', cpr: CPR } }] },
    forwarded: { ...base, items: [{ sku: 'a', options: { size: 'M' } }] },
    listed: ['items[].options.*'],
    total: 1,
  },
  {
    name: 'declared scalars in a nested array pass',
    data: { ...base, items: [{ options: { tags: ['x', 'y'] } }] },
    forwarded: { ...base, items: [{ options: { tags: ['x', 'y'] } }] },
    listed: [],
    total: 0,
  },
  {
    name: 'undeclared members of an object attribute',
    data: { ...base, shipTo: { city: 'Aarhus', ...PERSONAL } },
    forwarded: { ...base, shipTo: { city: 'Aarhus' } },
    listed: ['shipTo.*'],
    total: 4,
  },
  {
    name: 'an object attribute with nothing declared in it becomes empty',
    data: { ...base, shipTo: { name: 'Jane', street: 'Vej 1' } },
    forwarded: { ...base, shipTo: {} },
    listed: ['shipTo.*'],
    total: 2,
  },
  {
    name: 'a closed sub-object forwards its declared members',
    data: { ...base, shipTo: { geo: { lat: 1, lon: 2 } } },
    forwarded: { ...base, shipTo: { geo: { lat: 1, lon: 2 } } },
    listed: [],
    total: 0,
  },
  {
    name: 'arrays of arrays are projected element by element',
    data: { ...base, matrix: [[{ v: 1, cpr: CPR }], [{ v: 2 }, { email: 'x' }]] },
    forwarded: { ...base, matrix: [[{ v: 1 }], [{ v: 2 }, {}]] },
    listed: ['matrix[][].*'],
    total: 2,
  },
  {
    name: 'an array without an items schema keeps scalars only',
    data: { ...base, notes: ['ring the bell', 3, null] },
    forwarded: { ...base, notes: ['ring the bell', 3, null] },
    listed: [],
    total: 0,
  },
  {
    name: 'objects in an array without an items schema lose every member',
    data: { ...base, notes: [{ cpr: CPR }, 'ok', [{ email: 'x' }]] },
    forwarded: { ...base, notes: [{}, 'ok', [{}]] },
    listed: ['notes[].*', 'notes[][].*'],
    total: 2,
  },
  {
    name: 'an attribute whose schema is empty forwards a scalar',
    data: { ...base, blob: 'plain' },
    forwarded: { ...base, blob: 'plain' },
    listed: [],
    total: 0,
  },
  {
    name: 'an attribute whose schema is empty forwards no object member',
    data: { ...base, blob: { cpr: CPR, nested: { email: 'x' } } },
    forwarded: { ...base, blob: {} },
    listed: ['blob.*'],
    total: 2,
  },
  {
    name: 'an attribute the schema does not describe forwards no object member',
    data: { ...base, undescribed: { cpr: CPR } },
    forwarded: { ...base, undescribed: {} },
    listed: ['undescribed.*'],
    total: 1,
  },
  {
    name: 'members declared by any combined branch pass, others do not',
    data: { ...base, choice: { a: 'x', cpr: CPR } },
    forwarded: { ...base, choice: { a: 'x' } },
    listed: ['choice.*'],
    total: 1,
  },
  {
    name: 'a declared nested attribute next to an undeclared sibling',
    data: { ...base, meta: { channel: 'web', cpr: CPR } },
    forwarded: { ...base, meta: { channel: 'web' } },
    listed: ['meta.*'],
    total: 1,
  },
  {
    name: 'top-level undeclared attributes are withheld and named without their input keys',
    data: { ...base, cpr: CPR, email: 'a@example.dk', 'jane@example.dk': 1 },
    forwarded: { ...base },
    listed: ['*'],
    total: 3,
  },
  {
    name: 'drops at several depths in one event are all counted',
    data: {
      ...base,
      cpr: CPR,
      items: [{ sku: 'a', x: 1, options: { y: 2 } }],
      shipTo: { city: 'Aarhus', z: 3 },
    },
    forwarded: { ...base, items: [{ sku: 'a', options: {} }], shipTo: { city: 'Aarhus' } },
    listed: ['*', 'items[].options.*', 'items[].*', 'shipTo.*'],
    total: 4,
  },
  {
    name: 'nested keys that look like declared paths are still undeclared',
    data: { ...base, items: [{ 'sku.cpr': CPR, 'options.size': 'M' }] },
    forwarded: { ...base, items: [{}] },
    listed: ['items[].*'],
    total: 2,
  },
  {
    name: 'a __proto__ member inside an attribute is dropped, not followed',
    data: JSON.parse(`{"orderId":"o1","shipTo":{"city":"A","__proto__":{"cpr":"${CPR}"}}}`) as Record<
      string,
      unknown
    >,
    forwarded: { ...base, shipTo: { city: 'A' } },
    listed: ['shipTo.*'],
    total: 1,
  },
  {
    name: 'an array declared by element paths is projected element by element',
    data: {
      ...base,
      parcels: [
        { id: 'p1', weightKg: 2, cpr: CPR },
        { weightKg: 1, dims: { w: 3, name: 'Jane' } },
      ],
    },
    forwarded: {
      ...base,
      parcels: [
        { id: 'p1', weightKg: 2 },
        { weightKg: 1, dims: { w: 3 } },
      ],
    },
    listed: ['parcels[].*', 'parcels[].dims.*'],
    total: 2,
  },
  {
    name: 'elements of an array declared by element paths that are not objects are dropped',
    data: { ...base, parcels: [CPR, { id: 'p1' }, [CPR], null] },
    forwarded: { ...base, parcels: [{ id: 'p1' }] },
    listed: ['parcels[]'],
    total: 3,
  },
  {
    name: 'an element path array that is empty stays an empty array',
    data: { ...base, parcels: [] },
    forwarded: { ...base, parcels: [] },
    listed: [],
    total: 0,
  },
  {
    name: 'an empty array and an empty object pass as they are',
    data: { ...base, items: [], shipTo: {} },
    forwarded: { ...base, items: [], shipTo: {} },
    listed: [],
    total: 0,
  },
];

describe('R28 nested payloads: nothing undeclared leaves, at any depth', () => {
  it.each(CASES)('R28 $name', ({ data, forwarded, listed, total }) => {
    const run = runNested(data);
    expect(run.result.deadLetter).toBeUndefined();
    const sent = run.data.get('warehouse');
    expect(sent).toEqual(forwarded);
    for (const path of valuePaths(sent)) expect(isDeclaredPath(path)).toBe(true);
    expect(JSON.stringify([...run.data.values()])).not.toContain(CPR);
    const lineage = run.lineage.get('warehouse');
    const withheld = (lineage?.attributes ?? [])
      .filter((a) => a.reason === 'undeclared-attribute')
      .map((a) => a.path);
    expect(withheld).toEqual(listed);
    expect(lineage?.undeclared).toEqual(total === 0 ? undefined : { total, listed: listed.length });
    // Lineage never holds values, nor the input's key names, at any depth.
    expect(JSON.stringify(run.result.lineage)).not.toMatch(
      /010190|example\.dk|Jane|street|customerEmail|"(cpr|email|x|y|z)"/,
    );
  });

  it('R28 a pseudonymised attribute is the pseudonym of its projected value', () => {
    const run = runNested({ ...base, items: [{ sku: 'a', cpr: CPR }] });
    const hashed = run.data.get('hashed');
    expect(hashed).toEqual({
      items: destinationPseudonym(DEMO_PSEUDONYM_KEYRING, 'hashed', '[{"sku":"a"}]'),
    });
  });

  it('an element path array that is not an array is refused by its schema (type: array is required at load)', () => {
    const run = runNested({ ...base, parcels: { id: 'p1', cpr: CPR } });
    expect(run.result.deadLetter?.code).toBe('schema-violation');
    expect(run.data.size).toBe(0);
  });

  it('element attributes are decided once each and named by element path in lineage, not per index', () => {
    const run = runNested({ ...base, parcels: [{ id: 'p1', weightKg: 2 }, { id: 'p2' }, { weightKg: 3 }] });
    const decided = (run.lineage.get('warehouse')?.attributes ?? []).map((a) => `${a.path} ${a.outcome}`);
    expect(decided).toEqual([
      'orderId forward',
      'parcels[].id forward',
      'parcels[].weightKg forward',
      'parcels[].dims forward',
    ]);
    expect(JSON.stringify(run.result.lineage)).not.toMatch(/parcels\[\d/);
  });

  it('each element keeps only what the destination may receive; an element with nothing of it is dropped', () => {
    const run = runNested({ ...base, parcels: [{ id: 'p1', weightKg: 2 }, { weightKg: 3 }, { id: 'p3' }] });
    const ps = (v: string): string => destinationPseudonym(DEMO_PSEUDONYM_KEYRING, 'hashed', v);
    // `hashed` asks only for the pseudonymised id: the weight-only parcel has nothing it may receive.
    expect(run.data.get('hashed')).toEqual({ parcels: [{ id: ps('p1') }, { id: ps('p3') }] });
    const hashed = (run.lineage.get('hashed')?.attributes ?? []).map(
      (a) => `${a.path} ${a.outcome} ${a.rule}`,
    );
    expect(hashed).toContain('parcels[].id pseudonymise R20');
    expect(hashed).toContain('parcels[].weightKg withhold R28');
  });

  it('R28 thousands of undeclared keys are all counted under a few declared names', () => {
    const data: Record<string, unknown> = { ...base };
    for (let i = 0; i < 7744; i++) data[`k${i}`] = i;
    data.items = Array.from({ length: 100 }, (_, i) => ({ sku: `s${i}`, [`x${i}`]: i }));
    const run = runNested(data);
    const lineage = run.lineage.get('warehouse');
    const named = lineage?.attributes.filter((a) => a.reason === 'undeclared-attribute').map((a) => a.path);
    expect(named).toEqual(['*', 'items[].*']);
    expect(lineage?.undeclared).toEqual({ total: 7844, listed: 2 });
    expect(JSON.stringify(run.result.lineage)).not.toMatch(/"k\d+"|"x\d+"/);
  });
});
