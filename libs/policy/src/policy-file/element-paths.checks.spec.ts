import { loadPolicy } from './policy-file.loader';
import { errorsOf, exampleChanged as changed } from '../../test/policy-errors.harness';
import { EXAMPLE_POLICY_TEXT } from '../../test/rule-fixture.harness';

const example = EXAMPLE_POLICY_TEXT;

const ORDER = "sources.checkout.types['order.completed'].attributes";
const PAGE = "sources.web.types['page.viewed'].attributes";
const SKU = '          items[].sku:';

describe('element attributes (lines[].sku) are refused where ambiguous', () => {
  it('the example declares order lines by element path, each with its own purposes', () => {
    const spec = loadPolicy(example).eventTypes.get('checkout\u0000order.completed');
    const price = spec?.attributes.find((a) => a.path === 'items[].priceDkk');
    expect(price?.segments).toEqual(['items']);
    expect(price?.element).toEqual({ memberSegments: ['priceDkk'] });
    expect(price?.purposes.map((p) => p.key)).toEqual(['order.fulfilment']);
  });

  it('an array declared both whole and by element paths', () => {
    const bad = changed(
      SKU,
      `          items: { category: transaction.items, purposes: [order.fulfilment] }\n${SKU}`,
    );
    expect(errorsOf(bad)).toContain(
      `${ORDER}['items[].sku']: "items" is also declared as "items"; declare the array either whole or by element paths`,
    );
  });

  it('an element path under an object, not an array', () => {
    const bad = changed(
      'page.category: { category: behaviour.interest',
      'page[].category: { category: behaviour.interest',
    );
    expect(errorsOf(bad)).toContain(
      `${PAGE}['page[].category']: "page" is also declared as "page.url"; declare the array either whole or by element paths`,
    );
    expect(errorsOf(bad)).toContain(
      `${PAGE}['page[].category']: "page" is not an array in the event schema (type: array); element paths need one`,
    );
  });

  it('an element path under an array without items', () => {
    const bad = changed(
      '            paymentMethod: { type: string }\n',
      '            paymentMethod: { type: string }\n            tags: { type: array }\n',
    ).replace(
      SKU,
      `          tags[].name: { category: transaction.tag, purposes: [order.fulfilment] }\n${SKU}`,
    );
    expect(errorsOf(bad)).toContain(
      `${ORDER}['tags[].name']: "tags" declares no items in the event schema; element paths need them`,
    );
  });

  it.each([
    ['nested arrays by element path', 'items[].sizes[].code'],
    ['a bare array mark', 'items[]'],
    ['a mark inside a name', 'it[]ems.sku'],
  ])('%s is not an attribute path', (_name, path) => {
    const bad = changed(
      SKU,
      `          ${path}: { category: transaction.x, purposes: [order.fulfilment] }\n${SKU}`,
    );
    expect(errorsOf(bad).join('\n')).toContain(`${ORDER}['${path}']: invalid name: an attribute path`);
  });

  it('a JavaScript object key as the array name', () => {
    const bad = changed(
      SKU,
      `          constructor[].x: { category: transaction.x, purposes: [order.fulfilment] }\n${SKU}`,
    );
    expect(errorsOf(bad).join('\n')).toContain(
      `${ORDER}['constructor[].x']: "constructor" is a reserved name`,
    );
  });

  it('an identity link alias inside an array', () => {
    const bad = changed('          aliasPath: cookieId', '          aliasPath: ids[].cookie').replace(
      '          cookieId: { category: identifier.cookie, purposes: [seg.web_behaviour] }\n',
      '          cookieId: { category: identifier.cookie, purposes: [seg.web_behaviour] }\n          ids[].cookie: { category: identifier.cookie, purposes: [seg.web_behaviour] }\n',
    );
    expect(errorsOf(bad)).toContain(
      "sources.web.types['identity.linked'].identityLink.aliasPath: an identity link alias must be one value, not a member of array elements",
    );
  });
});
