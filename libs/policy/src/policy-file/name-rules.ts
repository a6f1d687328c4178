/**
 * Rules for the names a policy file may use, shared by the JSON Schema and the load checks.
 * Names become keys of lookups, topic names and file names (`govern dry-run --out`), so a name
 * that is also a JavaScript object key or a path fragment is refused at load rather than trusted.
 */

/**
 * Keys every plain object already has. A policy name equal to one of them could be found in a
 * plain-object lookup where nothing was declared (fail open), so it is refused everywhere.
 */
const EXTRA_RESERVED = ['__proto__', 'prototype', 'constructor'];

/** True when `name` is a JavaScript object key (`constructor`, `toString`, `__proto__`, ...). */
export function isReservedName(name: string): boolean {
  return name in Object.prototype || EXTRA_RESERVED.includes(name);
}

/** Destination names: they become file names under `govern dry-run --out` and topic suffixes. */
export const DESTINATION_NAME = '^[a-z][a-z0-9_-]{0,63}$';

/** Names of purposes, sources, event types, categories and form versions: dotted lowercase words. */
export const DOTTED_NAME = '^[a-z][a-z0-9_-]{0,63}(\\.[a-z0-9_-]{1,64}){0,7}$';

/**
 * Attribute paths: dotted payload keys (letters, digits, `_`, `-`), at most eight levels, and
 * optionally one array of objects whose element members are declared by path (`lines[].sku`).
 */
export const ATTRIBUTE_PATH =
  '^[A-Za-z_][A-Za-z0-9_-]{0,63}(\\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,7}(\\[\\](\\.[A-Za-z_][A-Za-z0-9_-]{0,63}){1,7})?$';

/** Marks the array in an element attribute path: `lines[].sku` is member `sku` of each `lines` element. */
export const ELEMENT_MARK = '[]';

/** Kafka topic names: the broker's own character set and length; `.` and `..` are not topics. */
export const TOPIC_NAME = '^(?!\\.{1,2}$)[A-Za-z0-9._-]{1,249}$';

/** Longest regular expression accepted in an event schema. */
const MAX_PATTERN_LENGTH = 512;

/**
 * Why a regular expression from an event schema could backtrack catastrophically, or null when it
 * looks safe. No linear-time engine is available, so patterns that can take exponential time on a
 * hostile payload are refused: a quantified group that itself contains a quantifier (`(a+)+`),
 * backreferences (`\1`, `\k<n>`) and lookarounds. This errs on the side of refusing.
 */
export function regexHazard(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  // Per open group: whether it contains a quantifier (directly or in a nested group).
  const groups: boolean[] = [];
  let inClass = false;
  let lastGroupHadQuantifier = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1] ?? '';
    if (c === '\\') {
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'backreferences are not allowed';
      i++;
      lastGroupHadQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroupHadQuantifier = false;
    } else if (c === '(') {
      if (/^\?(=|!|<=|<!)/.test(pattern.slice(i + 1, i + 4))) return 'lookarounds are not allowed';
      groups.push(false);
      lastGroupHadQuantifier = false;
    } else if (c === ')') {
      lastGroupHadQuantifier = groups.pop() ?? false;
      if (lastGroupHadQuantifier && groups.length > 0) groups[groups.length - 1] = true;
      continue;
    } else if (c === '*' || c === '+' || c === '{' || (c === '?' && pattern[i - 1] !== '(')) {
      const repeats = c !== '?' && !(c === '{' && /^\{(\d+)\}/.test(pattern.slice(i)));
      if (repeats && lastGroupHadQuantifier && pattern[i - 1] === ')')
        return 'nested quantifiers (a quantified group containing a quantifier) can backtrack catastrophically';
      if (repeats && groups.length > 0) groups[groups.length - 1] = true;
    }
    lastGroupHadQuantifier = false;
  }
  return null;
}
