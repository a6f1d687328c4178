/**
 * Input that makes the identity router's table shrink, shared by the pure simulation of the rule and
 * the engine test on the broker: a policy under which most subjects (linked ones included) expire
 * within the sample, and a tail that moves every task's sweep clock on and brings linked cookies
 * back after their groups could have been dropped.
 */

/**
 * The policy text with a 30-day state horizon, cookie consent lasting 60 days (R8 lets it last 396,
 * longer than the sample) and a 7-day double opt-in window: most of the sample's subjects expire.
 */
export function expiringPolicyText(text: string): string {
  return text
    .replace(/stateHorizonDays: \d+/, 'stateHorizonDays: 30')
    .replace(/cookieConsentMaxAgeDays: \d+/, 'cookieConsentMaxAgeDays: 60')
    .replace(/doubleOptInConfirmationDays: \d+/, 'doubleOptInConfirmationDays: 7');
}

/** An event's time (0 when it has none: the sample holds malformed inputs too). */
function timeOf(line: string): number {
  try {
    const t = Date.parse((JSON.parse(line) as { time?: string }).time ?? '');
    return Number.isNaN(t) ? 0 : t;
  } catch {
    return 0;
  }
}

/** The cookie an identity link names (none for any other event). */
export function linkedCookieOf(line: string): string[] {
  try {
    const e = JSON.parse(line) as { type?: string; data?: { cookieId?: unknown } };
    return e.type === 'identity.linked' && typeof e.data?.cookieId === 'string' ? [e.data.cookieId] : [];
  } catch {
    return [];
  }
}

const envelope = (
  id: string,
  time: string,
  subject: string,
  type: string,
  source: string,
  data: object,
): string => JSON.stringify({ specversion: '1.0', id, source, type, time, subject, data });

const pageView = (id: string, subject: string, time: string): string =>
  envelope(id, time, subject, 'page.viewed', 'web', { page: { url: '/back', category: 'x' } });

/** A cookie banner choice granting what segmentation of web behaviour needs. */
const cookieChoice = (key: string, time: string): string =>
  envelope(`choice-${key}`, time, key, 'consent.evidence', 'consent-service', {
    evidenceId: `ev-back-${key}`,
    subject: { key },
    timestamp: time,
    cmp: 'own-cmp/2.1',
    textVersion: 'sha256:banner-v1',
    uiLayer: 1,
    language: 'da',
    sourceChannel: 'web',
    kind: 'cookie-banner',
    formVersion: 'banner-v1',
    action: 'save_choices',
    purposes: ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing'],
  });

/**
 * Lines after `sample`, from three months after its last event: strangers' page views (they move
 * every task's sweep clock on and let its sweep go round), and among them every linked cookie
 * coming back with a cookie choice, then a page view that needs it. Where a release is still in
 * flight when a cookie's choice is routed, dropping its group would decide the page view in
 * another task, without the choice.
 */
export function comebackTail(sample: readonly string[]): string[] {
  const end = Math.max(...sample.map(timeOf));
  const cookies = [...new Set(sample.flatMap(linkedCookieOf))];
  const tail: string[] = [];
  let at = end + 90 * 86_400_000;
  const next = (): string => new Date((at += 1000)).toISOString();
  const strangers = (n: number): void => {
    for (let i = 0; i < n; i++) tail.push(pageView(`late-${tail.length}`, `late-${tail.length}`, next()));
  };
  strangers(300);
  for (const ck of cookies) {
    tail.push(cookieChoice(ck, next()));
    strangers(3);
    tail.push(pageView(`back-${ck}`, ck, next()));
  }
  strangers(1700);
  return tail;
}
