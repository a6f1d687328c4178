import { type AccessExport } from './access-export.query';

/** Text for HTML: every value is escaped, so nothing in the lineage can become markup. */
function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function table(caption: string, head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return `<h2>${esc(caption)}</h2><p>None.</p>`;
  return (
    `<h2>${esc(caption)}</h2><table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/**
 * The printable page of an access export (Art. 15): the same content as the JSON, as tables with
 * print styles, self-contained (no script, no external asset).
 */
export function accessExportHtml(x: AccessExport, generatedAt: string): string {
  const style =
    'body{font:14px/1.45 system-ui,sans-serif;color:#111;margin:2rem;max-width:70rem}' +
    'table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #666;padding:.3rem .5rem;text-align:left;vertical-align:top}' +
    'th{background:#e8e8e8}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}@media print{body{margin:0}}';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Access export (GDPR Art. 15)</title><style>${style}</style></head><body><main>`,
    '<h1>Access export (GDPR Art. 15)</h1>',
    `<p>Generated ${esc(generatedAt)} from the lineage, for the pseudonyms ${x.subjects.map((s) => `<code>${esc(s)}</code>`).join(', ')}. ` +
      `Policy versions: ${x.policyVersions.map(esc).join(', ') || 'none'}. The lineage records attribute paths, never their values.</p>`,
    x.truncated
      ? '<p><strong>This export is truncated: the person has more records than one export reads.</strong></p>'
      : '',
    table(
      'Data held, per source',
      [
        'Source / event type',
        'Attribute',
        'Category',
        'Purposes and legal bases',
        'First collected',
        'Last collected',
      ],
      x.held.map((h) => [
        `${h.source}/${h.type}`,
        h.path,
        h.category,
        h.purposes.map((p) => `${p.purpose} (${p.article})`).join('; '),
        h.firstCollected,
        h.lastCollected,
      ]),
    ),
    table(
      'Purposes, legal bases and retention',
      ['Purpose', 'What it is used for', 'Legal basis', 'Retention', 'Recipients (record of processing)'],
      x.purposes.map((p) => [
        p.purpose,
        p.description,
        `${p.legalBasis} (${p.article})`,
        p.retention,
        p.recipients.join('; '),
      ]),
    ),
    table(
      'Recipients the data was forwarded to (R29)',
      ['Destination', 'Recipients', 'Attributes', 'Decisions', 'First', 'Last', 'Days'],
      x.recipients.map((r) => [
        r.destination,
        r.recipients.join('; '),
        r.paths.join(', '),
        r.decisions,
        r.first,
        r.last,
        r.days.join(', '),
      ]),
    ),
    table(
      'Consent history',
      ['Time', 'Evidence', 'Kind', 'Form version', 'Valid', 'Reason', 'Rule', 'Purposes granted'],
      x.consentHistory.map((c) => [
        c.time ?? '',
        c.evidenceId,
        c.evidenceKind,
        c.formVersion ?? '',
        c.valid ? 'yes' : 'no',
        c.reason,
        c.rule,
        (c.grants ?? []).join(', '),
      ]),
    ),
    table(
      'Suppressions sent',
      ['Time', 'Destination', 'Purposes', 'Rule', 'Evidence'],
      x.suppressions.map((s) => [s.time ?? '', s.destination, s.purposes.join(', '), s.rule, s.evidenceId]),
    ),
    '</main></body></html>',
  ].join('\n');
}
