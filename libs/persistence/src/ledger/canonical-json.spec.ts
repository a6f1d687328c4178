import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: null })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":null}',
    );
  });

  it('gives the same text for the same content built in any order', () => {
    const one = { kind: 'cookie-banner', purposes: ['a', 'b'], uiLayer: 1 };
    const other = { uiLayer: 1, purposes: ['a', 'b'], kind: 'cookie-banner' };
    expect(canonicalJson(one)).toBe(canonicalJson(other));
    expect(canonicalJson(JSON.parse(canonicalJson(one)))).toBe(canonicalJson(one));
  });

  it('refuses what JSON cannot carry exactly', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });
});
