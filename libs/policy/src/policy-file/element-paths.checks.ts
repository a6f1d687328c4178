import { ELEMENT_MARK } from './name-rules';
import { type PolicyError, joinPath } from './policy-error';
import type { EventTypeFile } from './policy-file.types';
import { isArraySchemaAt, itemsSchemaAt } from './value-shape';

/**
 * Element attributes (`lines[].sku`) of one event type, refused where they would be ambiguous: an
 * array declared both whole (or through object paths, `lines.x`) and by element paths, an element
 * path whose array is not `type: array` with described `items` in the event schema, and an
 * identity link whose alias sits inside an array. `path` is the type's `attributes` path.
 */
export function checkElementPaths(t: EventTypeFile, path: string, linkPath: string): PolicyError[] {
  const errors: PolicyError[] = [];
  const declared = Object.keys(t.attributes);
  for (const attr of declared) {
    const mark = attr.indexOf(ELEMENT_MARK);
    if (mark < 0) continue;
    const array = attr.slice(0, mark);
    const at = joinPath(path, attr);
    const whole = declared.find((other) => other === array || other.startsWith(`${array}.`));
    if (whole !== undefined)
      errors.push({
        path: at,
        message: `"${array}" is also declared as "${whole}"; declare the array either whole or by element paths`,
      });
    const segments = array.split('.');
    if (!isArraySchemaAt(t.schema, segments))
      errors.push({
        path: at,
        message: `"${array}" is not an array in the event schema (type: array); element paths need one`,
      });
    else if (itemsSchemaAt(t.schema, segments) === undefined)
      errors.push({
        path: at,
        message: `"${array}" declares no items in the event schema; element paths need them`,
      });
  }
  if (t.identityLink?.aliasPath.includes(ELEMENT_MARK) === true)
    errors.push({
      path: joinPath(linkPath, 'aliasPath'),
      message: 'an identity link alias must be one value, not a member of array elements',
    });
  return errors;
}
