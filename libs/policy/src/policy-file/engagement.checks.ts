import { type PolicyError, joinPath } from './policy-error';
import type { PolicyFile } from './policy-file.types';

/** Data categories that are e-mail engagement by name: they may only sit in engagement events. */
const ENGAGEMENT_CATEGORY = /^engagement(\.|$)/;

/**
 * R23: personal e-mail opens and clicks are forwarded only under the engagement-tracking consent.
 * So an engagement event type (`engagement: true`) needs `options.engagementTrackingPurpose`, that
 * purpose must rest on consent, each of its attributes is collected for that purpose only, and no
 * compatibility assessment may route it further; an `engagement.*` category outside such an event
 * type is refused, so the data cannot be declared around the rule.
 */
export function checkEngagement(file: PolicyFile): PolicyError[] {
  const errors: PolicyError[] = [];
  const tracking = file.options?.engagementTrackingPurpose;
  const trackingPurpose =
    tracking !== undefined && Object.hasOwn(file.purposes, tracking) ? file.purposes[tracking] : undefined;
  if (trackingPurpose !== undefined && trackingPurpose.legalBasis !== 'consent')
    errors.push({
      path: 'options.engagementTrackingPurpose',
      message: `"${tracking}" rests on ${trackingPurpose.legalBasis}; engagement tracking needs consent (R23)`,
    });
  const engagementTypes = new Set<string>();
  for (const [source, spec] of Object.entries(file.sources)) {
    for (const [type, t] of Object.entries(spec.types)) {
      const typePath = joinPath(joinPath(joinPath('sources', source), 'types'), type);
      if (t.engagement === true) {
        engagementTypes.add(`${source}\u0000${type}`);
        if (tracking === undefined)
          errors.push({
            path: joinPath(typePath, 'engagement'),
            message:
              'engagement events need options.engagementTrackingPurpose, the consent that permits them (R23)',
          });
      }
      for (const [attr, a] of Object.entries(t.attributes)) {
        const at = joinPath(joinPath(typePath, 'attributes'), attr);
        if (t.engagement !== true) {
          if (ENGAGEMENT_CATEGORY.test(a.category))
            errors.push({
              path: joinPath(at, 'category'),
              message: `"${a.category}" is e-mail engagement data; declare it in an event type with engagement: true (R23)`,
            });
          continue;
        }
        a.purposes.forEach((p, i) => {
          if (tracking !== undefined && p !== tracking)
            errors.push({
              path: joinPath(joinPath(at, 'purposes'), i),
              message: `engagement data may be routed only under "${tracking}" (R23), not under "${p}"`,
            });
        });
      }
    }
  }
  (file.compatibilityAssessments ?? []).forEach((a, i) => {
    if (engagementTypes.has(`${a.source}\u0000${a.type}`))
      errors.push({
        path: joinPath('compatibilityAssessments', i),
        message: 'engagement data has no compatibility route; only the tracking consent permits it (R23)',
      });
  });
  return errors;
}
