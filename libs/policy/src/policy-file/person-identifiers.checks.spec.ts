import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyLoadError, formatPolicyError } from './policy-error';
import { loadPolicy } from './policy-file.loader';

const example = readFileSync(join(__dirname, '..', '..', '..', '..', 'policies', 'example.yaml'), 'utf8');
const DECLARED = 'identifiers:\n      personKey: customerId\n      linked: [email]';

function errorsOf(text: string): string[] {
  try {
    loadPolicy(text, { fileName: 'bad.yaml' });
  } catch (e) {
    if (e instanceof PolicyLoadError) return e.errors.map(formatPolicyError);
    throw e;
  }
  return [];
}

function withIdentifiers(to: string): string {
  expect(example.split(DECLARED)).toHaveLength(2);
  return example.replace(DECLARED, to);
}

describe('R25: identifiers a source knows of a person', () => {
  it('the example policy links the e-mail address of every CRM event type that carries it', () => {
    const policy = loadPolicy(example);
    expect(policy.eventTypes.get('crm\u0000customer.updated')?.personIdentifiers).toEqual(['email']);
    // Declared by the CRM only: the checkout's e-mail is not linked.
    expect(policy.eventTypes.get('checkout\u0000order.completed')?.personIdentifiers).toEqual([]);
  });

  it('refuses a linked identifier no type of the source declares', () => {
    expect(
      errorsOf(withIdentifiers('identifiers:\n      personKey: customerId\n      linked: [phone]')),
    ).toEqual([
      'sources.crm.identifiers.linked[0]: "phone" is not a declared attribute of any type of this source',
    ]);
  });

  it('refuses the person key as a linked identifier, a nested one and one listed twice', () => {
    const errors = errorsOf(
      withIdentifiers('identifiers:\n      personKey: email\n      linked: [email, page.url, city, city]'),
    );
    expect(errors).toEqual([
      'sources.crm.identifiers.linked[0]: "email" is the person key; it cannot also be linked to it',
      'sources.crm.identifiers.linked[1]: "page.url": a linked identifier must be a top-level attribute',
      'sources.crm.identifiers.linked[3]: "city" is listed twice',
      "sources.crm.types['customer.updated']: an event type may link at most one identifier (identityLink or one linked identifier)",
    ]);
  });
});
