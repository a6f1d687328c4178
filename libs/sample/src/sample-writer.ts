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

export const GROUPS = ['running_shoes', 'running_apparel', 'accessories', 'outdoor_gear'];
export const DAY_MS = 86_400_000;

interface Timed {
  t: number;
  seq: number;
  line: string;
}

/**
 * Writes the sample's CloudEvents as NDJSON lines, each at its own collection time. Ids count up
 * per stream and every random choice comes from the one seeded PRNG, in call order: the same
 * seed gives the same bytes, so keep the order of calls when changing a case.
 */
export class SampleWriter {
  private readonly out: Timed[] = [];
  private seq = 0;
  /** Last id number handed out (events and evidence share the counter). */
  private n = 0;

  constructor(
    private readonly seed: number,
    readonly rnd: () => number,
  ) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)] as T;
  }

  /** The id number of the last event or evidence written (order ids reuse it). */
  get lastId(): number {
    return this.n;
  }

  push(t: number, event: Record<string, unknown>): void {
    this.pushRaw(t, JSON.stringify(event));
  }

  /** A line as is, e.g. one that is not valid JSON (the dead-letter path). */
  pushRaw(t: number, line: string): void {
    this.out.push({ t, seq: this.seq++, line });
  }

  /** Rewrites the last line written (to break one field of an otherwise valid event). */
  rewriteLast(change: (event: { data: Record<string, unknown> }) => void): void {
    const last = this.out[this.out.length - 1] as Timed;
    const event = JSON.parse(last.line) as { data: Record<string, unknown> };
    change(event);
    last.line = JSON.stringify(event);
  }

  /** A source event (not yet written: pass it to {@link push}). */
  ce(
    t: number,
    source: string,
    type: string,
    subject: string | undefined,
    data: unknown,
  ): Record<string, unknown> {
    return {
      specversion: '1.0',
      id: `evt-${this.seed}-${++this.n}`,
      source,
      type,
      time: iso(t),
      ...(subject === undefined ? {} : { subject }),
      datacontenttype: 'application/json',
      data,
    };
  }

  /** Writes a piece of consent evidence; returns its evidence id. */
  evidence(t: number, subject: string, fields: Record<string, unknown>): string {
    const id = `ce-${this.seed}-${++this.n}`;
    this.push(t, {
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
        language: this.pick(['da', 'da', 'en']),
        sourceChannel: 'web',
        purposes: [],
        ...fields,
      },
    });
    return `ev-${id}`;
  }

  /** An order of one to three lines; each line's price is collected for fulfilment only. */
  order(t: number, subject: string, email: string): void {
    const count = 1 + Math.floor(this.rnd() * 3);
    const items = Array.from({ length: count }, () => ({
      sku: `sku-${Math.floor(this.rnd() * 900) + 100}`,
      productGroup: this.pick(GROUPS),
      priceDkk: this.pick([199, 499, 899]),
    }));
    this.push(
      t,
      this.ce(t, 'checkout', 'order.completed', subject, {
        orderId: `o-${this.n}`,
        email,
        items,
        totalDkk: items.reduce((sum, line) => sum + line.priceDkk, 0),
        paymentMethod: this.pick(['card', 'mobilepay']),
      }),
    );
  }

  page(t: number, subject: string, extra: Record<string, unknown> = {}): void {
    this.push(
      t,
      this.ce(t, 'web', 'page.viewed', subject, {
        page: { url: `/p/${Math.floor(this.rnd() * 50)}`, category: this.pick(GROUPS) },
        ...extra,
      }),
    );
  }

  /** Every line in time order (ties in the order written). */
  lines(): string[] {
    return [...this.out].sort((a, b) => a.t - b.t || a.seq - b.seq).map((x) => x.line);
  }
}

const iso = (t: number): string => new Date(t).toISOString();
