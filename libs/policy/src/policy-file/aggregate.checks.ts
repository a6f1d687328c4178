import { type PolicyError, joinPath } from './policy-error';
import type { PolicyFile } from './policy-file.types';

/** An event schema's declaration of one top-level member, as far as these checks read it. */
interface MemberSchema {
  readonly type?: unknown;
}

/**
 * R23's anonymous counts: an aggregate counts every event type declared `engagement: true`, by a
 * top-level attribute (the campaign) that each of them declares as a string. Without an engagement
 * type there is nothing to count; a name shared with a destination would give both one topic.
 */
export function checkAggregates(file: PolicyFile): PolicyError[] {
  const errors: PolicyError[] = [];
  const aggregates = Object.entries(file.aggregates ?? {});
  if (aggregates.length === 0) return errors;
  const engagement = Object.entries(file.sources).flatMap(([source, spec]) =>
    Object.entries(spec.types)
      .filter(([, t]) => t.engagement === true)
      .map(([type, t]) => ({ source, type, t })),
  );
  for (const [name, a] of aggregates) {
    const path = joinPath('aggregates', name);
    if (Object.hasOwn(file.destinations, name))
      errors.push({ path, message: `"${name}" is also a destination; name the aggregate differently` });
    if (engagement.length === 0) {
      errors.push({
        path,
        message: 'no event type is declared engagement: true; an aggregate counts opens and clicks (R23)',
      });
      continue;
    }
    if (a.by.includes('.') || a.by.includes('[')) {
      errors.push({
        path: joinPath(path, 'by'),
        message: `"${a.by}" is not a top-level attribute; count by the campaign id at the top of the payload`,
      });
      continue;
    }
    for (const { source, type, t } of engagement) {
      const typePath = joinPath(joinPath(joinPath('sources', source), 'types'), type);
      const properties = (t.schema as { properties?: Record<string, MemberSchema> }).properties;
      const member =
        properties !== undefined && Object.hasOwn(properties, a.by) ? properties[a.by] : undefined;
      if (!Object.hasOwn(t.attributes, a.by) || member?.type !== 'string')
        errors.push({
          path: joinPath(path, 'by'),
          message: `"${a.by}" must be declared as a string attribute of ${typePath}, which the aggregate counts`,
        });
    }
  }
  return errors;
}
