import { DAY_MS as day, type SampleWriter } from './sample-writer';

/**
 * The hard cases of the example policy, one per customer in turn: each shows a rule deciding
 * (the rule numbers are those of docs/rules.md). 'happy' is the customer whose every use is lawful.
 */
export const HARD_CASES = [
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
  'reject-all-logged-in',
  'expired-logged-in',
  'cookie-without-targeting',
  'necessary-only',
  'scoped-withdrawal',
  'objection-by-email-reply',
  'objection-by-email-before-crm',
  'unsubscribe-by-email',
  'double-opt-in-by-email',
  'shared-email',
] as const;

export type HardCase = (typeof HARD_CASES)[number];

/** One generated customer: CRM subject key, website cookie, e-mail and first-seen time. */
export interface SampleCustomer {
  /** Position in the stream (0-based): picks the hard case and the shared-device turns. */
  readonly index: number;
  readonly s: string;
  readonly cookie: string;
  readonly email: string;
  readonly t0: number;
}

/** The last 'happy' customer's cookie and start time: a shared device relinks it (see 'happy'). */
export interface SharedDevices {
  last: { cookie: string; t0: number } | null;
}

/** The cookie's banner choice, then a page view one second later: the shape of most G1 cases. */
function bannerThenPage(
  w: SampleWriter,
  c: SampleCustomer,
  fields: Record<string, unknown>,
  pageExtra: Record<string, unknown> = {},
): void {
  w.evidence(c.t0 + 1000, c.cookie, { kind: 'cookie-banner', ...fields });
  w.page(c.t0 + 2000, c.cookie, pageExtra);
}

/** Writes what happens to one customer of the given case after the CRM created them. */
export function writeHardCase(
  kase: HardCase,
  c: SampleCustomer,
  w: SampleWriter,
  devices: SharedDevices,
): void {
  const { index, s, cookie, email, t0 } = c;
  switch (kase) {
    case 'non-affirmative':
      bannerThenPage(w, c, {
        formVersion: 'banner-v1',
        action: w.pick(['close_x', 'scroll', 'continued_browsing']),
        purposes: ['cookie.statistics', 'seg.web_behaviour'],
      });
      break;
    case 'accept-all-layer2':
      w.evidence(t0 + 1000, cookie, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'accept_all',
        purposes: ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing'],
      });
      w.page(t0 + 2000, cookie);
      w.push(t0 + 3000, w.ce(t0 + 3000, 'web', 'identity.linked', s, { cookieId: cookie }));
      break;
    case 'non-granular':
      bannerThenPage(w, c, { formVersion: 'banner-v2', action: 'accept_all' });
      break;
    case 'missing-evidence': {
      const ev = w.evidence(t0 + 1000, s, {
        kind: 'marketing-consent',
        formVersion: 'newsletter-v3',
        action: 'checkbox_ticked',
        purposes: ['email.newsletter'],
      });
      // The same evidence without textVersion: the R4 case.
      w.rewriteLast((event) => delete event.data.textVersion);
      w.evidence(t0 + 2000, s, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.push(t0 + 3000, w.ce(t0 + 3000, 'newsletter', 'signup.submitted', s, { email }));
      break;
    }
    case 'expired':
      w.evidence(t0 - 420 * day, cookie, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'accept_all',
      });
      w.page(t0 + 2000, cookie);
      break;
    case 'withdrawal': {
      const ev = w.evidence(t0 + 1000, s, {
        kind: 'marketing-consent',
        formVersion: 'newsletter-v3',
        action: 'checkbox_ticked',
        // Every purpose the form offers, ticked one by one: a consent naming none grants nothing.
        purposes: ['email.newsletter', 'seg.purchase_history', 'email.engagement_tracking'],
      });
      w.evidence(t0 + 2000, s, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.order(t0 + 3000, s, email);
      w.evidence(t0 + 5 * day, s, {
        kind: 'withdrawal',
        sourceChannel: 'email-link',
        withdrawal: { all: true },
      });
      w.order(t0 + 6 * day, s, email);
      break;
    }
    case 'objection-then-consent': {
      w.order(t0 + 1000, s, email);
      w.evidence(t0 + 2 * day, s, { kind: 'objection', sourceChannel: 'customer-service' });
      const ev = w.evidence(t0 + 4 * day, s, {
        kind: 'marketing-consent',
        formVersion: 'newsletter-v3',
        action: 'checkbox_ticked',
        purposes: ['email.newsletter'],
      });
      w.evidence(t0 + 4 * day + 60_000, s, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.push(t0 + 5 * day, w.ce(t0 + 5 * day, 'crm', 'customer.updated', s, { email, city: 'Aarhus' }));
      break;
    }
    case 'soft-opt-in':
    case 'soft-opt-in-no-optout':
      w.evidence(t0 + 1000, s, {
        kind: 'soft-opt-in-notice',
        formVersion: 'checkout-optout-v1',
        action: 'order_placed',
        sourceChannel: 'checkout',
        optOutOffered: kase === 'soft-opt-in',
        optOutUsed: false,
        sale: { completed: true, productGroups: ['running_shoes'] },
      });
      w.order(t0 + 1001, s, email);
      break;
    case 'abandoned-checkout':
      w.evidence(t0 + 1000, s, {
        kind: 'soft-opt-in-notice',
        formVersion: 'checkout-optout-v1',
        action: 'order_placed',
        sourceChannel: 'checkout',
        optOutOffered: true,
        sale: { completed: false, productGroups: ['running_shoes'] },
      });
      w.push(t0 + 1001, w.ce(t0 + 1001, 'checkout', 'checkout.abandoned', s, { email, items: [] }));
      break;
    case 'competition-no-consent':
      w.push(t0 + 1000, w.ce(t0 + 1000, 'newsletter', 'competition.entered', s, { email, answer: 'b' }));
      w.evidence(t0 + 1001, s, {
        kind: 'marketing-consent',
        formVersion: 'competition-2024',
        action: 'entry_submitted',
        purposes: ['email.newsletter'],
      });
      break;
    case 'open-without-consent':
      w.evidence(t0 + 1000, s, {
        kind: 'marketing-consent',
        formVersion: 'competition-2025',
        action: 'checkbox_ticked',
        purposes: ['email.newsletter'],
      });
      w.push(
        t0 + 2 * day,
        w.ce(t0 + 2 * day, 'email', 'email.opened', s, { campaignId: 'spring-sale', userAgent: 'Mail/1.0' }),
      );
      // A click on a newsletter consent alone stays anonymous to every destination (R23).
      w.push(
        t0 + 2 * day + 1000,
        w.ce(t0 + 2 * day + 1000, 'email', 'email.clicked', s, {
          campaignId: 'spring-sale',
          linkUrl: '/running-shoes',
        }),
      );
      break;
    case 'undeclared':
      bannerThenPage(
        w,
        c,
        { formVersion: 'banner-v1', action: 'accept_all' },
        { ip: '192.0.2.1', fingerprint: 'abc' },
      );
      break;
    case 'before-consent': {
      w.order(t0 + 1000, s, email);
      const ev = w.evidence(t0 + 3 * day, s, {
        kind: 'marketing-consent',
        formVersion: 'newsletter-v3',
        action: 'checkbox_ticked',
        // Every purpose the form offers, ticked one by one: a consent naming none grants nothing.
        purposes: ['email.newsletter', 'seg.purchase_history', 'email.engagement_tracking'],
      });
      w.evidence(t0 + 3 * day + 60_000, s, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.order(t0 + 4 * day, s, email);
      // A late-arriving order collected before the consent: never used for it (R22).
      const late = w.ce(t0 + 2000, 'checkout', 'order.completed', s, {
        orderId: `o-late-${w.lastId}`,
        email,
        items: [],
        totalDkk: 99,
      });
      w.push(t0 + 4 * day + 1, late);
      break;
    }
    case 'link-without-cookie-consent':
      w.evidence(t0 + 1000, cookie, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'save_choices',
        purposes: ['cookie.statistics'],
      });
      w.push(t0 + 2000, w.ce(t0 + 2000, 'web', 'identity.linked', s, { cookieId: cookie }));
      w.page(t0 + 3000, cookie);
      break;
    case 'implied-cmp-signal':
      // The CMP reports the "consent" as implied, not given (R5).
      bannerThenPage(w, c, {
        formVersion: 'banner-v1',
        action: 'accept_all',
        cmpSignal: { method: 'implied' },
      });
      break;
    case 'unregistered-banner-version':
      // A banner version the policy does not register: it cannot show what was consented to (R7).
      bannerThenPage(w, c, {
        formVersion: 'banner-v3',
        action: 'accept_all',
        purposes: ['cookie.statistics', 'seg.web_behaviour'],
      });
      break;
    case 'happy': {
      w.evidence(t0 + 1000, cookie, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'save_choices',
        purposes: ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing'],
      });
      w.push(t0 + 2000, w.ce(t0 + 2000, 'web', 'identity.linked', s, { cookieId: cookie }));
      w.page(t0 + 3000, cookie);
      const ev = w.evidence(t0 + 4000, s, {
        kind: 'marketing-consent',
        formVersion: 'newsletter-v3',
        action: 'checkbox_ticked',
        // Every purpose the form offers, ticked one by one: a consent naming none grants nothing.
        purposes: ['email.newsletter', 'seg.purchase_history', 'email.engagement_tracking'],
      });
      w.evidence(t0 + 5000, s, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.order(t0 + 6000, s, email);
      w.push(t0 + day, w.ce(t0 + day, 'email', 'email.opened', s, { campaignId: 'welcome' }));
      w.push(
        t0 + day + 1000,
        w.ce(t0 + day + 1000, 'email', 'email.clicked', s, { campaignId: 'welcome', linkUrl: '/new-in' }),
      );
      // A shared device (every third happy customer): the previous happy customer's cookie, linked
      // to that customer, is linked to this one too. Two days later its cookie marketing consent
      // still holds and the cookie follows the new customer; every other time the relink comes
      // after the consent's maximum age, is refused (R25) and the cookie stays with the first.
      const happyIndex = Math.floor(index / HARD_CASES.length);
      if (devices.last !== null && happyIndex % 3 === 1) {
        const later = happyIndex % 6 === 4 ? 400 * day : 2 * day;
        const t = Math.max(t0, devices.last.t0) + later;
        w.push(t, w.ce(t, 'web', 'identity.linked', s, { cookieId: devices.last.cookie }));
        w.page(t + 1000, devices.last.cookie);
      }
      devices.last = { cookie, t0 };
      break;
    }
    // R25 for the CRM's e-mail address: the CRM event at t0 links it to the customer, so evidence
    // under the address alone reaches the customer's state.
    case 'objection-by-email-reply':
      w.evidence(t0 + 1000, s, softOptIn);
      w.order(t0 + 1001, s, email);
      // A reply "stop mailing me", recorded under the address as the mail client wrote it.
      w.evidence(t0 + 2 * day, ` ${email.toUpperCase()}`, {
        kind: 'objection',
        sourceChannel: 'email-reply',
      });
      w.order(t0 + 3 * day, s, email);
      break;
    case 'objection-by-email-before-crm':
      // The objection arrives before any CRM event names the address: it counts once the link is made.
      w.evidence(t0 - day, email, { kind: 'objection', sourceChannel: 'email-reply' });
      w.evidence(t0 + 1000, s, softOptIn);
      w.order(t0 + 1001, s, email);
      break;
    case 'unsubscribe-by-email': {
      const ev = w.evidence(t0 + 1000, s, newsletterSignUp);
      w.evidence(t0 + 2000, s, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.evidence(t0 + 3 * day, email, {
        kind: 'withdrawal',
        sourceChannel: 'list-unsubscribe',
        withdrawal: { marketing: { brands: ['nordlys'], channels: ['email'] } },
      });
      w.push(t0 + 4 * day, w.ce(t0 + 4 * day, 'crm', 'customer.updated', s, { email, city: 'Odense' }));
      break;
    }
    case 'double-opt-in-by-email': {
      const ev = w.evidence(t0 + 1000, s, newsletterSignUp);
      // The click in the confirmation mail names the address only.
      w.evidence(t0 + 2000, email, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.push(t0 + day, w.ce(t0 + day, 'crm', 'customer.updated', s, { email, city: 'Aarhus' }));
      break;
    }
    case 'shared-email': {
      // A second CRM record naming the same address: that link is refused (R25), the address stays
      // the first customer's, and an objection under it reaches both customers (nobody can tell
      // which of them sent it): the second's soft opt-in is suppressed too.
      const twin = `${s}-b`;
      w.evidence(t0 + 500, twin, softOptIn);
      w.push(t0 + 1000, w.ce(t0 + 1000, 'crm', 'customer.updated', twin, { email, city: 'Køge' }));
      w.evidence(t0 + 2000, s, softOptIn);
      w.evidence(t0 + 2 * day, email, { kind: 'objection', sourceChannel: 'email-reply' });
      w.order(t0 + 3 * day, s, email);
      w.order(t0 + 3 * day, twin, email);
      break;
    }
    case 'reject-all-logged-in':
      // Both consents, a login, a page view; then "reject all" on the banner while logged in: the
      // next page view is withheld (R18, the rejection ends the device's consent) and segmentation
      // is told to stop.
      w.evidence(t0 + 1000, cookie, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'save_choices',
        purposes: ['seg.web_behaviour', 'cookie.marketing'],
      });
      w.push(t0 + 2000, w.ce(t0 + 2000, 'web', 'identity.linked', s, { cookieId: cookie }));
      w.page(t0 + 3000, cookie);
      w.evidence(t0 + 4000, cookie, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'reject_all',
      });
      w.page(t0 + 5000, cookie);
      break;
    case 'expired-logged-in':
      // Linked while the cookie consent held; browsing after its maximum age is withheld (R8).
      w.evidence(t0 - 420 * day, cookie, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'save_choices',
        purposes: ['seg.web_behaviour', 'cookie.marketing'],
      });
      w.push(t0 - 419 * day, w.ce(t0 - 419 * day, 'web', 'identity.linked', s, { cookieId: cookie }));
      w.page(t0 + 2000, cookie);
      break;
    case 'cookie-without-targeting':
      // Marketing cookies allowed, personalised offers not: no profiling of web behaviour (R21).
      bannerThenPage(w, c, {
        formVersion: 'banner-v1',
        action: 'save_choices',
        purposes: ['cookie.marketing'],
      });
      break;
    case 'necessary-only':
      bannerThenPage(w, c, { formVersion: 'banner-v1', action: 'necessary_only' });
      break;
    case 'scoped-withdrawal': {
      // Newsletter for every group; unsubscribing from running shoes closes the e-mail service
      // (it mails about them) and keeps the rest; withdrawing everything later suppresses again.
      const ev = w.evidence(t0 + 1000, s, {
        kind: 'marketing-consent',
        formVersion: 'newsletter-v3',
        action: 'checkbox_ticked',
        purposes: ['email.newsletter', 'seg.purchase_history'],
      });
      w.evidence(t0 + 2000, s, {
        kind: 'double-opt-in-confirmation',
        confirms: ev,
        sourceChannel: 'email-link',
      });
      w.evidence(t0 + day, s, {
        kind: 'withdrawal',
        sourceChannel: 'email-link',
        withdrawal: { marketing: { productGroups: ['running_shoes'] } },
      });
      w.push(t0 + 2 * day, w.ce(t0 + 2 * day, 'crm', 'customer.updated', s, { email, city: 'Odense' }));
      w.evidence(t0 + 3 * day, s, {
        kind: 'withdrawal',
        sourceChannel: 'email-link',
        withdrawal: { all: true },
      });
      w.order(t0 + 4 * day, s, email);
      break;
    }
  }
}

const softOptIn = {
  kind: 'soft-opt-in-notice',
  formVersion: 'checkout-optout-v1',
  action: 'order_placed',
  sourceChannel: 'checkout',
  optOutOffered: true,
  optOutUsed: false,
  sale: { completed: true, productGroups: ['running_shoes'] },
};

const newsletterSignUp = {
  kind: 'marketing-consent',
  formVersion: 'newsletter-v3',
  action: 'checkbox_ticked',
  purposes: ['email.newsletter'],
};
