import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { lineagePseudonym, renderLineage } from '@app/policy';
import { type AuditStack } from './support/audit-stack';
import { type DecidedSample } from './support/lineage-fixture';
import { startStackWithEngineLineage, type StackWithLineage } from './support/engine-lineage';
import { PSEUDONYM_KEYS } from '../../../test/engine/support/test-keyring';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots are test artefacts, kept out of git (var/ is ignored). */
const SHOTS = join(__dirname, '../../../var/e2e-screenshots');

// The auditor console in a real headless Chromium against the real service and database: what a
// person sees when they look someone up, open a decision, follow the consent, recall a form
// version, read the dashboard and download the access export, with the keyboard alone where it matters.
describe('auditor console (headless Chromium)', () => {
  let real: StackWithLineage;
  let stack: AuditStack;
  let sample: DecidedSample;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (CI installs it)`);
    mkdirSync(SHOTS, { recursive: true });
    real = await startStackWithEngineLineage(40, 7);
    ({ stack, sample } = real);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 720 }, acceptDownloads: true });
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${stack.url}/console/`);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await real?.close();
  });

  const shot = (name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('labels every input and refuses to query without a key', async () => {
    const unlabelled = await page.$$eval(
      'input',
      (inputs) =>
        inputs.filter((i) => i.id === '' || i.ownerDocument.querySelector(`label[for="${i.id}"]`) === null)
          .length,
    );
    expect(unlabelled).toBe(0);
    await page.getByLabel('Customer id, e-mail address or cookie id').fill('cust-00018');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#status', { hasText: 'API key' }).waitFor();
  });

  it('finds a person with the keyboard and shows their timeline per destination', async () => {
    await page.getByLabel('API key').fill(stack.keys.dpo);
    await page.keyboard.press('Enter');
    await page.getByLabel('Customer id, e-mail address or cookie id').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('CUST-00018@Example.dk');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#timeline li.decision');
    // The e-mail address names the customer through an identity link: both pseudonyms are shown.
    const byMail = lineagePseudonym(PSEUDONYM_KEYS, 'cust-00018@example.dk');
    const own = lineagePseudonym(PSEUDONYM_KEYS, 'cust-00018');
    expect(await page.textContent('#subjects')).toContain(byMail);
    expect(await page.textContent('#subjects')).toContain(own);
    const mine = sample.lineage.filter((l) => l.subject === own);
    const decisions = renderLineage(sample.policy, mine);
    const buttons = await page.$$eval('#timeline li.decision button', (b) => b.map((x) => x.textContent));
    expect(buttons).toEqual(decisions.map((d) => `${d.destination}: ${d.outcome}`));
    await shot('1-timeline');
  });

  it('opens a decision: each field forwarded or withheld, why, and the consent behind it', async () => {
    const own = lineagePseudonym(PSEUDONYM_KEYS, 'cust-00018');
    const rendered = renderLineage(
      sample.policy,
      sample.lineage.filter((l) => l.subject === own),
    );
    const index = rendered.findIndex((d) => d.outcome === 'forwarded');
    expect(index).toBeGreaterThanOrEqual(0);
    const first = rendered[index];
    await page.locator('#timeline li.decision button').nth(index).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail table');
    const rows = await page.$$eval('#detail table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual(
      first?.attributes.map((a) => [
        a.path,
        a.outcome === 'withhold' ? 'withheld' : a.outcome === 'forward' ? 'forwarded' : 'pseudonymised',
        a.reason,
        a.rule,
      ]),
    );
    expect(await page.textContent('#detail pre')).toContain(`-> destination "${first?.destination}"`);
    await shot('2-decision');
    // The view the README shows (copied to docs/ by hand when the console changes).
    await page.locator('#person-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'console.png') });
    const evidence = page.locator('#timeline li.consent-assessment button').first();
    if ((await evidence.count()) > 0) {
      await evidence.click();
      await page.waitForSelector('#detail h3:has-text("Consent evidence")');
      expect(await page.textContent('#detail')).toContain('What followed');
      await shot('3-consent');
    }
  });

  it('downloads the access export listing the destinations the lineage shows', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download access export (JSON)' }).click(),
    ]);
    const path = join(SHOTS, 'access-export.json');
    await download.saveAs(path);
    const exported = JSON.parse(readFileSync(path, 'utf8')) as { recipients: { destination: string }[] };
    const own = lineagePseudonym(PSEUDONYM_KEYS, 'cust-00018');
    const reached = renderLineage(
      sample.policy,
      sample.lineage.filter((l) => l.subject === own),
    ).filter((d) => d.outcome !== 'withheld');
    expect(exported.recipients.map((r) => r.destination).sort()).toEqual(
      [...new Set(reached.map((d) => d.destination))].sort(),
    );
    const [html] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /printable/ }).click(),
    ]);
    const htmlPath = join(SHOTS, 'access-export.html');
    await html.saveAs(htmlPath);
    expect(readFileSync(htmlPath, 'utf8')).toContain('Recipients the data was forwarded to (R29)');
  });

  it('recalls a banner version with counts per destination', async () => {
    await page.getByRole('button', { name: 'Recall' }).click();
    await page.getByLabel('Form or banner version', { exact: true }).fill('banner-v1');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForSelector('#recall table');
    expect(await page.textContent('#recall')).toMatch(
      /piece\(s\) of consent evidence from \d+ person\(s\) were captured on this version/,
    );
    const rows = await page.$$eval('#recall table:first-of-type tbody tr', (trs) => trs.length);
    expect(rows).toBeGreaterThan(0);
    await shot('4-recall');
  });

  it('charts forwarded and withheld by reason per destination', async () => {
    await page.getByRole('button', { name: 'Dashboard' }).click();
    await page.getByLabel('From', { exact: true }).fill('2025-01-01');
    await page.getByLabel('To', { exact: true }).fill('2025-03-31');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForSelector('#dashboard svg');
    const charts = await page.$$eval('#dashboard figure figcaption', (f) => f.map((x) => x.textContent));
    const destinations = [...new Set(renderLineage(sample.policy, sample.lineage).map((d) => d.destination))];
    for (const d of destinations) expect(charts).toContain(d);
    await shot('5-dashboard');
  });

  it('works offline: every request the page made went to the audit service itself', () => {
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((u) => !u.startsWith(`${stack.url}/`) && !u.startsWith('blob:'))).toEqual([]);
  });
});
