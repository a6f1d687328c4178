import { accessExportHtml } from './access-export.html';
import { type AccessExport } from './access-export.query';

describe('printable access export', () => {
  const hostile = '<script>alert(1)</script>"\'&';
  const x: AccessExport = {
    subjects: ['demo:00'],
    policyVersions: ['1+abc'],
    held: [
      {
        source: 'crm',
        type: hostile,
        path: 'email',
        category: 'contact.email',
        purposes: [{ purpose: 'p', legalBasis: 'consent', article: 'Art. 6(1)(a)' }],
        firstCollected: 't1',
        lastCollected: 't2',
      },
    ],
    purposes: [
      {
        purpose: 'p',
        description: hostile,
        legalBasis: 'consent',
        article: 'Art. 6(1)(a)',
        retention: '2 years',
        recipients: [],
      },
    ],
    consentHistory: [],
    suppressions: [],
    recipients: [
      {
        destination: 'segmentation',
        recipients: [hostile],
        paths: ['email'],
        decisions: 2,
        first: 't1',
        last: 't2',
        days: ['2025-01-01'],
      },
    ],
    truncated: false,
  };

  it('escapes every value and carries no script', () => {
    const html = accessExportHtml(x, '2026-01-01T00:00:00Z');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(html).toContain('Recipients the data was forwarded to (R29)');
    expect(html).toContain('None.');
  });
});
