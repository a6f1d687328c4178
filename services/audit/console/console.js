/* global document, window, fetch, sessionStorage, URL, Blob, URLSearchParams */
// The auditor console: plain JavaScript, no framework, no external asset. Every value from the API
// reaches the page through textContent or attributes, never as markup.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const state = { subjects: [], cursors: {}, seen: new Set() };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children.flat())
      if (c !== null && c !== undefined) node.append(c instanceof window.Node ? c : String(c));
    return node;
  }
  /** The nodes that are there (optional parts of a view are null). */
  const present = (...nodes) => nodes.filter((n) => n !== null && n !== undefined);
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function status(text, error) {
    const s = $('status');
    s.textContent = text;
    s.className = error ? 'error' : '';
  }
  function table(head, rows) {
    return el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          head.map((h) => el('th', { scope: 'col' }, h)),
        ),
      ),
      el(
        'tbody',
        {},
        rows.map((r) =>
          el(
            'tr',
            {},
            r.map((c) => el('td', {}, c)),
          ),
        ),
      ),
    );
  }

  async function api(path, options) {
    const key = sessionStorage.getItem('auditKey');
    if (!key) throw new Error('Enter an API key first.');
    const res = await fetch(path, {
      ...(options || {}),
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    });
    if (!res.ok) {
      let message = `${res.status}`;
      try {
        const body = await res.json();
        message = `${body.code}: ${body.message}`;
      } catch {
        // not JSON: keep the status
      }
      throw new Error(message);
    }
    return res;
  }
  async function json(path, options) {
    return (await api(path, options)).json();
  }
  function guarded(work) {
    return async (event) => {
      if (event) event.preventDefault();
      try {
        await work(event);
      } catch (error) {
        status(error.message, true);
      }
    };
  }

  // Views
  for (const tab of document.querySelectorAll('.tab'))
    tab.addEventListener('click', () => {
      for (const t of document.querySelectorAll('.tab')) {
        const on = t === tab;
        t.setAttribute('aria-pressed', String(on));
        $(`view-${t.dataset.view}`).hidden = !on;
      }
    });

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('auditKey', $('api-key').value.trim());
    $('api-key').value = '';
    status('API key set for this tab.');
  });

  // Person search and timeline
  $('search-form').addEventListener(
    'submit',
    guarded(async () => {
      const identifier = $('identifier').value;
      const found = await json('/v1/persons/search', {
        method: 'POST',
        body: JSON.stringify({ identifier }),
      });
      state.subjects = found.subjects.filter((s) => s.inLineage).map((s) => s.pseudonym);
      $('subjects').replaceChildren(
        el(
          'p',
          {},
          state.subjects.length === 0
            ? 'No lineage under this identifier.'
            : `Found under ${state.subjects.length} pseudonym(s): ${state.subjects.join(', ')}`,
        ),
      );
      $('timeline').replaceChildren();
      $('detail').replaceChildren();
      $('exports').hidden = state.subjects.length === 0;
      state.cursors = Object.fromEntries(state.subjects.map((s) => [s, undefined]));
      state.seen = new Set();
      await loadTimeline();
      status(state.subjects.length === 0 ? 'Nothing found.' : 'Timeline loaded.');
    }),
  );
  $('timeline-more').addEventListener('click', guarded(loadTimeline));

  /**
   * The next page of every pseudonym the person was found under, merged in time order; a record
   * seen under two pseudonyms (an identity link names both) is shown once.
   */
  async function loadTimeline() {
    const pending = state.subjects.filter((s) => state.cursors[s] !== null);
    const pages = await Promise.all(
      pending.map(async (subject) => {
        const q = new URLSearchParams({ limit: '100' });
        if (state.cursors[subject]) q.set('cursor', state.cursors[subject]);
        const page = await json(`/v1/persons/${encodeURIComponent(subject)}/timeline?${q}`);
        state.cursors[subject] = page.nextCursor;
        return page.items;
      }),
    );
    const items = pages
      .flat()
      .filter((i) => !state.seen.has(i.position) && state.seen.add(i.position))
      .sort((a, b) => a.position.localeCompare(b.position));
    for (const item of items) $('timeline').append(timelineEntry(item));
    $('timeline-more').hidden = state.subjects.every((s) => state.cursors[s] === null);
  }

  function timelineEntry(item) {
    const r = item.record;
    const li = el('li', { class: r.kind });
    li.append(el('span', { class: 'time' }, r.time || ''));
    if (r.kind === 'decision') {
      li.append(el('strong', {}, `Event ${r.eventId}`), ` ${r.source}/${r.type}`, el('br'));
      for (const d of item.decisions || [])
        li.append(
          el(
            'button',
            {
              type: 'button',
              class: `link dest ${d.outcome}`,
              onclick: guarded(() => showDecision(d)),
              'aria-label': `Open decision for ${d.destination}: ${d.outcome}`,
            },
            `${d.destination}: ${d.outcome}`,
          ),
        );
    } else if (r.kind === 'consent-assessment') {
      li.append(
        el('strong', {}, `Consent ${r.evidenceKind}`),
        ` ${r.valid ? 'valid' : 'NOT valid'} (${r.rule}) `,
        el(
          'button',
          { type: 'button', class: 'link', onclick: guarded(() => showEvidence(r.evidenceId)) },
          r.evidenceId,
        ),
      );
    } else if (r.kind === 'suppression') {
      li.append(el('strong', {}, `Suppression to ${r.destination}`), ` ${r.purposes.join(', ')} (${r.rule})`);
    } else if (r.kind === 'identity-link') {
      li.append(el('strong', {}, `Identity link ${r.linked ? 'made' : 'refused'}`));
    } else if (r.kind === 'dead-letter') {
      li.append(el('strong', {}, `Dead letter ${r.code}`));
    }
    return li;
  }

  async function showDecision(d) {
    const detail = $('detail');
    const explained = await json(
      `/v1/events/${encodeURIComponent(d.eventId)}/explain?destination=${encodeURIComponent(d.destination)}`,
    );
    const evidenceButton = (id) =>
      id ? el('button', { type: 'button', class: 'link', onclick: guarded(() => showEvidence(id)) }, id) : '';
    detail.replaceChildren(
      ...present(
        el('h3', {}, `Decision ${d.decisionId}`),
        el(
          'p',
          {},
          `Event ${d.eventId} to `,
          el('strong', {}, d.destination),
          ': ',
          el('span', { class: d.outcome }, d.outcome),
          ` (policy ${d.policyVersion}, ${d.time})`,
        ),
        d.contact
          ? el(
              'p',
              {},
              `Contact: ${d.contact.mayContact ? 'may be contacted' : 'may NOT be contacted'} (${d.contact.basis || 'no basis'}, ${d.contact.rule}) `,
              evidenceButton(d.contact.evidenceId),
            )
          : null,
        table(
          ['Field', 'Outcome', 'Reason', 'Rule', 'Purpose', 'Legal basis', 'Consent evidence'],
          d.attributes.map((a) => [
            a.path,
            el(
              'span',
              { class: a.outcome },
              a.outcome === 'withhold' ? 'withheld' : a.outcome === 'forward' ? 'forwarded' : 'pseudonymised',
            ),
            a.reason,
            a.rule,
            a.purpose || '',
            a.legalBasis || '',
            evidenceButton(a.evidenceId),
          ]),
        ),
        el('h4', {}, 'Explanation'),
        el('pre', {}, explained.explanations.map((x) => x.lines.join('\n')).join('\n')),
      ),
    );
    detail.focus();
  }

  async function showEvidence(id) {
    const c = await json(`/v1/evidence/${encodeURIComponent(id)}`);
    const a = c.assessment;
    $('detail').replaceChildren(
      ...present(
        el('h3', {}, `Consent evidence ${c.evidenceId}`),
        table(
          ['Kind', 'Form version', 'Time', 'Valid', 'Reason', 'Rule', 'Purposes claimed', 'Purposes granted'],
          [
            [
              a.evidenceKind,
              a.formVersion || '',
              a.time || '',
              a.valid ? 'yes' : 'no',
              a.reason,
              a.rule,
              a.purposes.join(', '),
              (a.grants || []).join(', '),
            ],
          ],
        ),
        c.confirmedBy
          ? el('p', {}, `Confirmed by ${c.confirmedBy.evidenceId} at ${c.confirmedBy.time}`)
          : null,
        el('h4', {}, 'What followed'),
        c.followedBy.length === 0
          ? el('p', {}, 'No withdrawal, objection or suppression followed.')
          : table(
              ['Time', 'What', 'Details'],
              c.followedBy.map((f) => [
                f.time || '',
                f.kind === 'suppression' ? `suppression to ${f.destination}` : f.evidenceKind,
                f.kind === 'suppression' ? `${f.purposes.join(', ')} (${f.rule})` : `${f.reason} (${f.rule})`,
              ]),
            ),
      ),
    );
    $('detail').focus();
  }

  async function download(format) {
    const subject = state.subjects[0];
    const res = await api(`/v1/persons/${encodeURIComponent(subject)}/access-export?format=${format}`);
    const blob = new Blob([await res.text()], { type: format === 'html' ? 'text/html' : 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `access-export.${format}` });
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
    status(`Access export (${format}) downloaded.`);
  }
  $('export-json').addEventListener(
    'click',
    guarded(() => download('json')),
  );
  $('export-html').addEventListener(
    'click',
    guarded(() => download('html')),
  );

  // Recall
  $('recall-form').addEventListener(
    'submit',
    guarded(async () => {
      const q = new URLSearchParams({ formVersion: $('form-version').value, limit: '200' });
      const r = await json(`/v1/recalls?${q}`);
      $('recall').replaceChildren(
        el(
          'p',
          {},
          `${r.evidence} piece(s) of consent evidence from ${r.subjects} person(s) were captured on this version.`,
        ),
        table(
          ['Destination', 'Persons', 'Decisions', 'First', 'Last'],
          r.perDestination.map((d) => [d.destination, d.subjects, d.decisions, d.first, d.last]),
        ),
        table(
          [
            'Person (pseudonym)',
            'Evidence on this version',
            'First captured',
            'Destinations reached (decisions)',
          ],
          r.page.items.map((i) => [
            i.subject,
            i.evidenceIds.join(', '),
            i.firstCaptured,
            i.destinations.map((d) => `${d.destination} (${d.decisions})`).join(', ') || 'none',
          ]),
        ),
      );
      status('Recall loaded.');
    }),
  );

  // Dashboard
  const today = new Date().toISOString().slice(0, 10);
  $('stats-to').value = today;
  $('stats-from').value = new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
  $('stats-form').addEventListener(
    'submit',
    guarded(async () => {
      const q = new URLSearchParams({ from: $('stats-from').value, to: $('stats-to').value });
      const [decisions, dead] = await Promise.all([
        json(`/v1/statistics/decisions?${q}`),
        json(`/v1/statistics/dead-letters?${q}`),
      ]);
      const byDestination = new Map();
      for (const row of decisions.rows) {
        if (row.metric !== 'forwarded' && row.metric !== 'withheld') continue;
        const d = byDestination.get(row.destination) || new Map();
        const key = row.metric === 'withheld' ? `withheld: ${row.reason}` : 'forwarded';
        d.set(key, (d.get(key) || 0) + row.count);
        byDestination.set(row.destination, d);
      }
      const charts = [...byDestination].map(([destination, counts]) => chart(destination, counts));
      const deadCounts = new Map();
      for (const row of dead.rows) deadCounts.set(row.reason, (deadCounts.get(row.reason) || 0) + row.count);
      $('dashboard').replaceChildren(
        ...(charts.length === 0 ? [el('p', {}, 'No decisions in this range.')] : charts),
        el('h3', {}, 'Dead letters by code'),
        deadCounts.size === 0 ? el('p', {}, 'None.') : chart('dead letters', deadCounts),
      );
      status('Dashboard loaded.');
    }),
  );

  /** A horizontal bar chart as inline SVG, with the same figures in a table for screen readers. */
  function chart(title, counts) {
    const rows = [...counts].sort((a, b) => b[1] - a[1]);
    const max = Math.max(1, ...rows.map((r) => r[1]));
    const height = rows.length * 22 + 10;
    const id = `chart-${(state.charts = (state.charts || 0) + 1)}`;
    const image = svg('svg', { width: 640, height, role: 'img', 'aria-labelledby': id });
    image.append(svg('title', { id }, `${title}: counts by outcome and reason`));
    rows.forEach(([label, n], i) => {
      const y = i * 22 + 5;
      const color = label.startsWith('withheld')
        ? '#a4161a'
        : label === 'pseudonymised'
          ? '#5a3d99'
          : label === 'forwarded'
            ? '#0a6b2d'
            : '#0b4f9c';
      image.append(svg('text', { x: 0, y: y + 14 }, label));
      image.append(svg('rect', { x: 260, y, width: Math.max(2, (n / max) * 300), height: 18, fill: color }));
      image.append(svg('text', { x: 265 + (n / max) * 300, y: y + 14 }, String(n)));
    });
    return el(
      'figure',
      {},
      el('figcaption', {}, el('strong', {}, title)),
      image,
      el('details', {}, el('summary', {}, 'Figures'), table(['Outcome / reason', 'Count'], rows)),
    );
  }
})();
