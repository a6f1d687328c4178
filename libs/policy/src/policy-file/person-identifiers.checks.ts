import { type PolicyError, joinPath } from './policy-error';
import type { PolicyFile } from './policy-file.types';

/**
 * A source's declared identifiers (R25), refused where linking could not be done or not be routed:
 * a linked identifier that is not a top-level attribute (the link reads one value) or that no type
 * of the source declares, the person key listed as linked, and an event type that would link more
 * than one identifier (the engine's identity router moves one home group per event).
 */
export function checkPersonIdentifiers(file: PolicyFile): PolicyError[] {
  const errors: PolicyError[] = [];
  for (const [source, spec] of Object.entries(file.sources)) {
    const ids = spec.identifiers;
    if (ids === undefined) continue;
    const path = joinPath(joinPath('sources', source), 'identifiers');
    const types = Object.values(spec.types);
    ids.linked.forEach((name, i) => {
      const at = joinPath(joinPath(path, 'linked'), i);
      if (name === ids.personKey)
        errors.push({ path: at, message: `"${name}" is the person key; it cannot also be linked to it` });
      else if (name.includes('.') || name.includes('['))
        errors.push({ path: at, message: `"${name}": a linked identifier must be a top-level attribute` });
      else if (!types.some((t) => Object.hasOwn(t.attributes, name)))
        errors.push({
          path: at,
          message: `"${name}" is not a declared attribute of any type of this source`,
        });
      if (ids.linked.indexOf(name) !== i) errors.push({ path: at, message: `"${name}" is listed twice` });
    });
    for (const [type, t] of Object.entries(spec.types)) {
      const links =
        ids.linked.filter((name) => Object.hasOwn(t.attributes, name)).length +
        (t.identityLink === undefined ? 0 : 1);
      if (links > 1)
        errors.push({
          path: joinPath(joinPath(joinPath('sources', source), 'types'), type),
          message: 'an event type may link at most one identifier (identityLink or one linked identifier)',
        });
    }
  }
  return errors;
}
