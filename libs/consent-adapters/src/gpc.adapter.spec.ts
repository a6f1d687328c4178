import { assessEvidence, loadPolicy } from '@app/policy';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adaptGpc } from './gpc.adapter';
import { captureContext, evidenceOf, examplePolicy, refusalOf } from '../fixtures/fixture-kit';

const policy = examplePolicy();

describe('Global Privacy Control adapter', () => {
  it('Sec-GPC: 1 withdraws exactly the sale and sharing purposes the policy names', () => {
    const e = evidenceOf(adaptGpc(policy, '1', captureContext()));
    expect(e).toMatchObject({
      kind: 'withdrawal',
      cmp: 'gpc',
      action: 'gpc_signal',
      withdrawal: { purposes: ['cookie.marketing', 'seg.web_behaviour'] },
    });
    expect(assessEvidence(policy, e)).toMatchObject({
      valid: true,
      rule: 'R18',
      effect: { type: 'withdrawal', all: false, purposes: ['cookie.marketing', 'seg.web_behaviour'] },
    });
  });

  it.each([undefined, null, '0', ' '])('records nothing without the signal (%p)', (header) => {
    expect(refusalOf(adaptGpc(policy, header, captureContext()))).toBe('nothing-to-record');
  });

  it('records nothing when the policy names no purposes for it', () => {
    const text = readFileSync(join(__dirname, '../../../policies/example.yaml'), 'utf8').replace(
      /^ {2}gpcObjectsTo:.*$/m,
      '',
    );
    expect(refusalOf(adaptGpc(loadPolicy(text), '1', captureContext()))).toBe('nothing-to-record');
  });
});
