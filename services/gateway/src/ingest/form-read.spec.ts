import { GatewayError } from '../http/gateway-error';
import { readCheckout, readObjection, readPreferences, readSignUp } from './form-read';

const SIGN_UP = {
  subjectKey: 'cust-1',
  formVersion: 'newsletter-v3',
  textVersion: 'sha256:9c1d',
  language: 'da',
  action: 'checkbox_ticked',
  purposes: ['email.newsletter'],
};

/** The refusal a reader throws: its status and message (which must never hold the value sent). */
function refusal(read: () => unknown): { status: number; message: string } {
  try {
    read();
  } catch (error) {
    if (error instanceof GatewayError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

describe('form bodies', () => {
  it('reads a sign-up and keeps the page without query or fragment', () => {
    expect(readSignUp({ ...SIGN_UP, url: 'https://shop.example/nl?email=a@b.dk#x' })).toEqual({
      ...SIGN_UP,
      url: 'https://shop.example/nl',
    });
  });

  it('refuses unknown members, wrong types and oversized values, naming the field and never the value', () => {
    const secret = 'anna@example.dk';
    for (const [body, field] of [
      [{ ...SIGN_UP, email: secret }, 'body'],
      [{ ...SIGN_UP, purposes: secret }, 'purposes'],
      [{ ...SIGN_UP, purposes: [] }, 'purposes'],
      [{ ...SIGN_UP, subjectKey: ' ' }, 'subjectKey'],
      [{ ...SIGN_UP, subjectKey: 'x'.repeat(257) }, 'subjectKey'],
      [{ ...SIGN_UP, language: secret }, 'language'],
      [{ ...SIGN_UP, url: `javascript:${secret}` }, 'url'],
      [{ ...SIGN_UP, scopes: [{ brands: [secret], channels: [] }] }, 'scopes[0]'],
      [[SIGN_UP], 'body'],
    ] as const) {
      const r = refusal(() => readSignUp(body));
      expect(r.status).toBe(400);
      expect(r.message).toContain(field);
      expect(r.message).not.toContain(secret);
    }
  });

  it('reads the checkout opt-out box as shown', () => {
    const base = {
      subjectKey: 'cust-1',
      formVersion: 'checkout-optout-v1',
      textVersion: 'sha256:1',
      saleCompleted: true,
      productGroups: ['running_shoes'],
    };
    expect(readCheckout({ ...base, optOutBox: 'unticked' })).toMatchObject({
      optOutShown: true,
      optOutTicked: false,
    });
    expect(readCheckout({ ...base, optOutBox: 'ticked' })).toMatchObject({
      optOutShown: true,
      optOutTicked: true,
    });
    expect(readCheckout({ ...base, optOutBox: 'not-shown' })).toMatchObject({
      optOutShown: false,
      optOutTicked: false,
    });
    expect(refusal(() => readCheckout({ ...base, optOutBox: true })).message).toContain('optOutBox');
    expect(
      refusal(() => readCheckout({ ...base, optOutBox: 'unticked', saleCompleted: 'yes' })).message,
    ).toContain('saleCompleted');
  });

  it('reads preference centre withdrawals strictly: everything only when said', () => {
    expect(
      readPreferences({ subjectKey: 'c', withdrawals: [{ all: true, purposes: ['email.newsletter'] }] })
        .withdrawals,
    ).toEqual([{ all: true }]);
    expect(
      readPreferences({ subjectKey: 'c', withdrawals: [{ all: false, marketing: { channels: ['email'] } }] })
        .withdrawals,
    ).toEqual([{ marketing: { channels: ['email'] } }]);
    for (const withdrawals of [[{}], [{ all: false }], [{ marketing: {} }], 'all'])
      expect(refusal(() => readPreferences({ subjectKey: 'c', withdrawals })).status).toBe(400);
    expect(refusal(() => readPreferences({ subjectKey: 'c' })).message).toContain('at least one');
    expect(refusal(() => readPreferences({ subjectKey: 'c', grants: [{ ...SIGN_UP }] })).message).toContain(
      'grants[0]',
    );
  });

  it('reads an objection with a known channel only', () => {
    expect(readObjection({ subjectKey: 'c', channel: 'phone' })).toEqual({
      subjectKey: 'c',
      channel: 'phone',
    });
    expect(refusal(() => readObjection({ subjectKey: 'c', channel: 'pigeon' })).message).toContain('channel');
    expect(refusal(() => readObjection({ subjectKey: 'c' })).message).toContain('channel');
  });
});
