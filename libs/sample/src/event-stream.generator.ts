/**
 * Deterministic synthetic stream for policies/example.yaml: consent evidence and source events in
 * time order, as NDJSON lines of CloudEvents. Seeded PRNG and a fixed base time, so the same seed
 * gives the same bytes. Every hard case of DOMAIN.md appears once the customer count allows it.
 */
const BASE_TIME = Date.parse('2025-01-06T08:00:00Z');
const GROUPS = ['running_shoes', 'running_apparel', 'accessories', 'outdoor_gear'];

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Timed {
  t: number;
  seq: number;
  line: string;
}

/** Options of {@link generateEventStream}. */
export interface GenerateOptions {
  readonly seed: number;
  readonly customers: number;
}

const HARD_CASES = [
  'non-affirmative',
  'accept-all-layer2',
  'non-granular',
  'missing-evidence',
  'expired',
  'withdrawal',
  'objection-then-consent',
  'soft-opt-in',
  'soft-opt-in-no-optout',
  'abandoned-checkout',
  'competition-no-consent',
  'open-without-consent',
  'undeclared',
  'before-consent',
  'link-without-cookie-consent',
  'implied-cmp-signal',
  'unregistered-banner-version',
  'happy',
] as const;

/** Generates the stream; returns NDJSON lines (without newlines) in time order. */
export function generateEventStream(options: GenerateOptions): string[] {
  const rnd = prng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: Timed[] = [];
  let seq = 0;
  let n = 0;
  const iso = (t: number): string => new Date(t).toISOString();
  const push = (t: number, event: Record<string, unknown>): void => {
    out.push({ t, seq: seq++, line: JSON.stringify(event) });
  };
  const ce = (
    t: number,
    source: string,
    type: string,
    subject: string | undefined,
    data: unknown,
  ): Record<string, unknown> => ({
    specversion: '1.0',
    id: `evt-${options.seed}-${++n}`,
    source,
    type,
    time: iso(t),
    ...(subject === undefined ? {} : { subject }),
    datacontenttype: 'application/json',
    data,
  });
  const evidence = (t: number, subject: string, fields: Record<string, unknown>): string => {
    const id = `ce-${options.seed}-${++n}`;
    push(t, {
      specversion: '1.0',
      id,
      source: 'consent-service',
      type: 'consent.evidence',
      time: iso(t),
      subject,
      data: {
        evidenceId: `ev-${id}`,
        subject: { key: subject },
        timestamp: iso(t),
        cmp: 'own-cmp/2.1',
        textVersion: `sha256:${(fields.formVersion as string) ?? 'x'}`,
        uiLayer: 1,
        language: pick(['da', 'da', 'en']),
        sourceChannel: 'web',
        purposes: [],
        ...fields,
      },
    });
    return `ev-${id}`;
  };
  const order = (t: number, s: string, email: string): void => {
    const group = pick(GROUPS);
    push(
      t,
      ce(t, 'checkout', 'order.completed', s, {
        orderId: `o-${n}`,
        email,
        items: [{ sku: `sku-${Math.floor(rnd() * 900) + 100}`, productGroup: group, priceDkk: 499 }],
        totalDkk: 499,
        paymentMethod: pick(['card', 'mobilepay']),
      }),
    );
  };
  const page = (t: number, s: string, extra: Record<string, unknown> = {}): void => {
    push(
      t,
      ce(t, 'web', 'page.viewed', s, {
        page: { url: `/p/${Math.floor(rnd() * 50)}`, category: pick(GROUPS) },
        ...extra,
      }),
    );
  };
  const day = 86_400_000;
  /** The last 'happy' customer's cookie and start time: a shared device relinks it (below). */
  let sharedDevice: { cookie: string; t0: number } | null = null;

  for (let i = 0; i < options.customers; i++) {
    const s = `cust-${String(i + 1).padStart(5, '0')}`;
    const cookie = `ck-${options.seed}-${i + 1}`;
    const email = `${s}@example.dk`;
    const t0 = BASE_TIME + Math.floor(rnd() * 30 * day);
    const kase = HARD_CASES[i % HARD_CASES.length] as (typeof HARD_CASES)[number];
    push(
      t0,
      ce(t0, 'crm', 'customer.updated', s, {
        email,
        firstName: pick(['Ane', 'Bo', 'Mette', 'Lars']),
        city: pick(['Aarhus', 'Odense', 'Køge']),
      }),
    );
    /** The cookie's banner choice, then a page view one second later: the shape of most G1 cases. */
    const bannerThenPage = (
      fields: Record<string, unknown>,
      pageExtra: Record<string, unknown> = {},
    ): void => {
      evidence(t0 + 1000, cookie, { kind: 'cookie-banner', ...fields });
      page(t0 + 2000, cookie, pageExtra);
    };
    switch (kase) {
      case 'non-affirmative':
        bannerThenPage({
          formVersion: 'banner-v1',
          action: pick(['close_x', 'scroll', 'continued_browsing']),
          purposes: ['cookie.statistics', 'seg.web_behaviour'],
        });
        break;
      case 'accept-all-layer2':
        evidence(t0 + 1000, cookie, {
          kind: 'cookie-banner',
          formVersion: 'banner-v1',
          action: 'accept_all',
          purposes: ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing'],
        });
        page(t0 + 2000, cookie);
        push(t0 + 3000, ce(t0 + 3000, 'web', 'identity.linked', s, { cookieId: cookie }));
        break;
      case 'non-granular':
        bannerThenPage({ formVersion: 'banner-v2', action: 'accept_all' });
        break;
      case 'missing-evidence': {
        const ev = evidence(t0 + 1000, s, {
          kind: 'marketing-consent',
          formVersion: 'newsletter-v3',
          action: 'checkbox_ticked',
          purposes: ['email.newsletter'],
        });
        // Rebuild the last line without textVersion: the R4 case.
        const last = out[out.length - 1] as Timed;
        const obj = JSON.parse(last.line) as { data: Record<string, unknown> };
        delete obj.data.textVersion;
        last.line = JSON.stringify(obj);
        evidence(t0 + 2000, s, {
          kind: 'double-opt-in-confirmation',
          confirms: ev,
          sourceChannel: 'email-link',
        });
        push(t0 + 3000, ce(t0 + 3000, 'newsletter', 'signup.submitted', s, { email }));
        break;
      }
      case 'expired':
        evidence(t0 - 420 * day, cookie, {
          kind: 'cookie-banner',
          formVersion: 'banner-v1',
          action: 'accept_all',
        });
        page(t0 + 2000, cookie);
        break;
      case 'withdrawal': {
        const ev = evidence(t0 + 1000, s, {
          kind: 'marketing-consent',
          formVersion: 'newsletter-v3',
          action: 'checkbox_ticked',
        });
        evidence(t0 + 2000, s, {
          kind: 'double-opt-in-confirmation',
          confirms: ev,
          sourceChannel: 'email-link',
        });
        order(t0 + 3000, s, email);
        evidence(t0 + 5 * day, s, {
          kind: 'withdrawal',
          sourceChannel: 'email-link',
          withdrawal: { all: true },
        });
        order(t0 + 6 * day, s, email);
        break;
      }
      case 'objection-then-consent': {
        order(t0 + 1000, s, email);
        evidence(t0 + 2 * day, s, { kind: 'objection', sourceChannel: 'customer-service' });
        const ev = evidence(t0 + 4 * day, s, {
          kind: 'marketing-consent',
          formVersion: 'newsletter-v3',
          action: 'checkbox_ticked',
          purposes: ['email.newsletter'],
        });
        evidence(t0 + 4 * day + 60_000, s, {
          kind: 'double-opt-in-confirmation',
          confirms: ev,
          sourceChannel: 'email-link',
        });
        push(t0 + 5 * day, ce(t0 + 5 * day, 'crm', 'customer.updated', s, { email, city: 'Aarhus' }));
        break;
      }
      case 'soft-opt-in':
      case 'soft-opt-in-no-optout':
        evidence(t0 + 1000, s, {
          kind: 'soft-opt-in-notice',
          formVersion: 'checkout-optout-v1',
          action: 'order_placed',
          sourceChannel: 'checkout',
          optOutOffered: kase === 'soft-opt-in',
          optOutUsed: false,
          sale: { completed: true, productGroups: ['running_shoes'] },
        });
        order(t0 + 1001, s, email);
        break;
      case 'abandoned-checkout':
        evidence(t0 + 1000, s, {
          kind: 'soft-opt-in-notice',
          formVersion: 'checkout-optout-v1',
          action: 'order_placed',
          sourceChannel: 'checkout',
          optOutOffered: true,
          sale: { completed: false, productGroups: ['running_shoes'] },
        });
        push(t0 + 1001, ce(t0 + 1001, 'checkout', 'checkout.abandoned', s, { email, items: [] }));
        break;
      case 'competition-no-consent':
        push(t0 + 1000, ce(t0 + 1000, 'newsletter', 'competition.entered', s, { email, answer: 'b' }));
        evidence(t0 + 1001, s, {
          kind: 'marketing-consent',
          formVersion: 'competition-2024',
          action: 'entry_submitted',
          purposes: ['email.newsletter'],
        });
        break;
      case 'open-without-consent':
        evidence(t0 + 1000, s, {
          kind: 'marketing-consent',
          formVersion: 'competition-2025',
          action: 'checkbox_ticked',
          purposes: ['email.newsletter'],
        });
        push(
          t0 + 2 * day,
          ce(t0 + 2 * day, 'email', 'email.opened', s, { campaignId: 'spring-sale', userAgent: 'Mail/1.0' }),
        );
        break;
      case 'undeclared':
        bannerThenPage(
          { formVersion: 'banner-v1', action: 'accept_all' },
          { ip: '192.0.2.1', fingerprint: 'abc' },
        );
        break;
      case 'before-consent': {
        order(t0 + 1000, s, email);
        const ev = evidence(t0 + 3 * day, s, {
          kind: 'marketing-consent',
          formVersion: 'newsletter-v3',
          action: 'checkbox_ticked',
        });
        evidence(t0 + 3 * day + 60_000, s, {
          kind: 'double-opt-in-confirmation',
          confirms: ev,
          sourceChannel: 'email-link',
        });
        order(t0 + 4 * day, s, email);
        // A late-arriving order collected before the consent: never used for it (R22).
        const late = ce(t0 + 2000, 'checkout', 'order.completed', s, {
          orderId: `o-late-${n}`,
          email,
          items: [],
          totalDkk: 99,
        });
        out.push({ t: t0 + 4 * day + 1, seq: seq++, line: JSON.stringify(late) });
        break;
      }
      case 'link-without-cookie-consent':
        evidence(t0 + 1000, cookie, {
          kind: 'cookie-banner',
          formVersion: 'banner-v1',
          action: 'save_choices',
          purposes: ['cookie.statistics'],
        });
        push(t0 + 2000, ce(t0 + 2000, 'web', 'identity.linked', s, { cookieId: cookie }));
        page(t0 + 3000, cookie);
        break;
      case 'implied-cmp-signal':
        // The CMP reports the "consent" as implied, not given (R5).
        bannerThenPage({ formVersion: 'banner-v1', action: 'accept_all', cmpSignal: { method: 'implied' } });
        break;
      case 'unregistered-banner-version':
        // A banner version the policy does not register: it cannot show what was consented to (R7).
        bannerThenPage({
          formVersion: 'banner-v3',
          action: 'accept_all',
          purposes: ['cookie.statistics', 'seg.web_behaviour'],
        });
        break;
      case 'happy': {
        evidence(t0 + 1000, cookie, {
          kind: 'cookie-banner',
          formVersion: 'banner-v1',
          action: 'save_choices',
          purposes: ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing'],
        });
        push(t0 + 2000, ce(t0 + 2000, 'web', 'identity.linked', s, { cookieId: cookie }));
        page(t0 + 3000, cookie);
        const ev = evidence(t0 + 4000, s, {
          kind: 'marketing-consent',
          formVersion: 'newsletter-v3',
          action: 'checkbox_ticked',
        });
        evidence(t0 + 5000, s, {
          kind: 'double-opt-in-confirmation',
          confirms: ev,
          sourceChannel: 'email-link',
        });
        order(t0 + 6000, s, email);
        push(t0 + day, ce(t0 + day, 'email', 'email.opened', s, { campaignId: 'welcome' }));
        // A shared device (every third happy customer): the previous happy customer's cookie, linked
        // to that customer, is linked to this one too. Two days later its cookie marketing consent
        // still holds and the cookie follows the new customer; every other time the relink comes
        // after the consent's maximum age, is refused (R25) and the cookie stays with the first.
        const happyIndex = Math.floor(i / HARD_CASES.length);
        if (sharedDevice !== null && happyIndex % 3 === 1) {
          const later = happyIndex % 6 === 4 ? 400 * day : 2 * day;
          const t = Math.max(t0, sharedDevice.t0) + later;
          push(t, ce(t, 'web', 'identity.linked', s, { cookieId: sharedDevice.cookie }));
          page(t + 1000, sharedDevice.cookie);
        }
        sharedDevice = { cookie, t0 };
        break;
      }
    }
    // A few malformed lines for the dead-letter path.
    if (i % 50 === 7) out.push({ t: t0 + 10, seq: seq++, line: '{"specversion":"1.0","id":"broken' });
    if (i % 50 === 23) push(t0 + 20, ce(t0 + 20, 'pos', 'sale.registered', s, { amount: 1 }));
    if (i % 50 === 37) push(t0 + 30, ce(t0 + 30, 'web', 'page.viewed', undefined, { page: { url: '/x' } }));
  }
  out.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return out.map((x) => x.line);
}
