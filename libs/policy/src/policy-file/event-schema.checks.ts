import { regexHazard } from './name-rules';
import { type PolicyError, joinPath } from './policy-error';

/**
 * Regular expressions in an event's payload schema (`pattern`, `patternProperties`) run on every
 * payload, so one that backtracks catastrophically lets a single event stall the engine. Each is
 * checked at load; see {@link regexHazard}. Returns the refused ones by path.
 */
export function checkSchemaPatterns(schema: unknown, path: string): PolicyError[] {
  const errors: PolicyError[] = [];
  const check = (pattern: string, at: string): void => {
    const hazard = regexHazard(pattern);
    if (hazard !== null) {
      errors.push({ path: at, message: `regular expression refused: ${hazard}` });
      return;
    }
    try {
      // ajv compiles patterns with the `u` flag; a pattern it cannot compile is refused here by path.
      new RegExp(pattern, 'u');
    } catch {
      errors.push({ path: at, message: 'invalid regular expression' });
    }
  };
  const visit = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((v: unknown, i) => visit(v, joinPath(at, i)));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      const here = joinPath(at, k);
      if (k === 'pattern' && typeof v === 'string') check(v, here);
      if (k === 'patternProperties' && typeof v === 'object' && v !== null)
        for (const p of Object.keys(v)) check(p, joinPath(here, p));
      visit(v, here);
    }
  };
  visit(schema, path);
  return errors;
}
