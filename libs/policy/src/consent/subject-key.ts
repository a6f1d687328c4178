/** Something that looks like an e-mail address once trimmed: one `@`, no whitespace. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * The canonical form of a subject key, applied wherever a key enters the core (event subject,
 * evidence subject, identity link values). An e-mail address is trimmed and case-folded, so a
 * withdrawal sent under `BOB@EXAMPLE.COM ` stops what was collected under `bob@example.com`
 * (R18); treating the local part as case-insensitive can merge two mailboxes only on the rare
 * servers that distinguish case, which errs on the side of honouring a withdrawal. Every other key
 * is opaque and used exactly as given.
 */
export function canonicalSubjectKey(key: string): string {
  const trimmed = key.trim();
  return EMAIL.test(trimmed) ? trimmed.toLowerCase() : key;
}
