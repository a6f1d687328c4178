import { type PolicyError, joinPath } from './policy-error';
import type { PolicyFile } from './policy-file.types';

/** Where a purpose's data is processed, and which data categories that processing touches. */
interface PurposeUse {
  /** Policy paths that use the purpose, in file order (the first is named in errors). */
  readonly usedAt: string[];
  /** Data category -> the attribute path (policy path) that first processes it for the purpose. */
  readonly categories: Map<string, string>;
}

function typePath(source: string, type: string): string {
  return joinPath(joinPath(joinPath('sources', source), 'types'), type);
}

/**
 * What every purpose is used for in the policy: attributes collected for it, destinations that
 * serve it, identity links that need it (R25) and compatibility assessments that reach it (R22).
 * A purpose found here is "in use" and must carry its record of processing (Art. 30).
 */
export function purposeUses(file: PolicyFile): Map<string, PurposeUse> {
  const uses = new Map<string, PurposeUse>();
  const use = (purpose: string, at: string): PurposeUse => {
    let u = uses.get(purpose);
    if (u === undefined) {
      u = { usedAt: [], categories: new Map() };
      uses.set(purpose, u);
    }
    u.usedAt.push(at);
    return u;
  };
  for (const [source, spec] of Object.entries(file.sources)) {
    for (const [type, t] of Object.entries(spec.types)) {
      for (const [attr, a] of Object.entries(t.attributes)) {
        const at = joinPath(joinPath(typePath(source, type), 'attributes'), attr);
        for (const p of a.purposes) {
          const u = use(p, at);
          if (!u.categories.has(a.category)) u.categories.set(a.category, at);
        }
      }
      const link = t.identityLink;
      if (link !== undefined) {
        const at = joinPath(typePath(source, type), 'identityLink');
        const u = use(link.requiresPurpose, at);
        const alias = Object.hasOwn(t.attributes, link.aliasPath) ? t.attributes[link.aliasPath] : undefined;
        if (alias !== undefined && !u.categories.has(alias.category)) u.categories.set(alias.category, at);
      }
    }
  }
  (file.compatibilityAssessments ?? []).forEach((a, i) => {
    const at = joinPath('compatibilityAssessments', i);
    const u = use(a.purpose, at);
    const types = Object.hasOwn(file.sources, a.source) ? file.sources[a.source]?.types : undefined;
    const t = types !== undefined && Object.hasOwn(types, a.type) ? types[a.type] : undefined;
    const attr =
      t !== undefined && Object.hasOwn(t.attributes, a.attribute) ? t.attributes[a.attribute] : undefined;
    if (attr !== undefined && !u.categories.has(attr.category)) u.categories.set(attr.category, at);
  });
  for (const [name, d] of Object.entries(file.destinations))
    for (const p of d.purposes) use(p, joinPath(joinPath('destinations', name), 'purposes'));
  return uses;
}

/**
 * Art. 30: every purpose in use carries its record of processing, and the record lists every data
 * category the policy processes for it (a record that omits what the policy does is not a record
 * of it). Unknown purposes are reported elsewhere and skipped here.
 */
export function checkProcessingRecords(file: PolicyFile): PolicyError[] {
  const errors: PolicyError[] = [];
  for (const [purpose, use] of purposeUses(file)) {
    if (!Object.hasOwn(file.purposes, purpose)) continue;
    const path = joinPath(joinPath('purposes', purpose), 'record');
    const record = file.purposes[purpose]?.record;
    if (record === undefined) {
      errors.push({
        path,
        message: `missing: the purpose is in use (${use.usedAt[0] ?? ''}), so it needs its record of processing (Art. 30): dataCategories, subjectCategories, recipients, thirdCountryTransfers, erasure, securityMeasures`,
      });
      continue;
    }
    const listed = new Set(record.dataCategories);
    for (const [category, at] of use.categories) {
      if (!listed.has(category))
        errors.push({
          path: joinPath(path, 'dataCategories'),
          message: `does not list "${category}", processed for this purpose at ${at} (Art. 30(1)(c))`,
        });
    }
  }
  return errors;
}
