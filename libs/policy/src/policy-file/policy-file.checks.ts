import type { PolicyError } from './policy-error';
import { checkPersonIdentifiers } from './person-identifiers.checks';
import { joinPath } from './policy-error';
import type { EventTypeFile, PolicyFile } from './policy-file.types';
import { checkSchemaPatterns } from './event-schema.checks';
import { isReservedName } from './name-rules';
import { checkElementPaths } from './element-paths.checks';
import { checkEngagement } from './engagement.checks';
import { checkAggregates } from './aggregate.checks';
import { checkProcessingRecords } from './processing-record.checks';
import { checkCmpCategories } from './cmp-categories.checks';

/** `obj[key]` only when `obj` itself has it: a name read from the file never finds an inherited key. */
function own<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * Cross-reference checks the JSON Schema cannot express. Returns every error, by path, with a
 * message that says what to fix.
 */
export function checkPolicyReferences(file: PolicyFile): PolicyError[] {
  const errors: PolicyError[] = [];
  const purposes = new Set(Object.keys(file.purposes));
  const err = (path: string, message: string): void => {
    errors.push({ path, message });
  };
  const checkPurposes = (path: string, list: readonly string[] | undefined): void => {
    (list ?? []).forEach((p, i) => {
      if (!purposes.has(p)) err(joinPath(path, i), `unknown purpose "${p}"`);
    });
  };

  for (const [key, purpose] of Object.entries(file.purposes)) {
    (purpose.requires ?? []).forEach((r, i) => {
      if (!purposes.has(r.purpose))
        err(
          joinPath(joinPath(joinPath(joinPath('purposes', key), 'requires'), i), 'purpose'),
          `unknown purpose "${r.purpose}"`,
        );
    });
    if (purpose.necessary === true && purpose.legalBasis === 'consent') {
      err(
        joinPath(joinPath('purposes', key), 'necessary'),
        'a strictly necessary purpose cannot rest on consent (R6)',
      );
    }
  }

  const m = file.marketing;
  const brands = new Set(m?.brands ?? []);
  const channels = new Set(m?.channels ?? []);
  const groups = new Set(m?.productGroups ?? []);
  const checkScope = (
    path: string,
    scope: { brands: string[]; channels: string[]; productGroups: string[] },
  ): void => {
    scope.brands.forEach(
      (b, i) => brands.has(b) || err(joinPath(joinPath(path, 'brands'), i), `unknown brand "${b}"`),
    );
    scope.channels.forEach(
      (c, i) => channels.has(c) || err(joinPath(joinPath(path, 'channels'), i), `unknown channel "${c}"`),
    );
    scope.productGroups.forEach(
      (g, i) =>
        groups.has(g) || err(joinPath(joinPath(path, 'productGroups'), i), `unknown product group "${g}"`),
    );
  };
  (m?.ownBrands ?? []).forEach(
    (b, i) => brands.has(b) || err(joinPath('marketing.ownBrands', i), `unknown brand "${b}"`),
  );
  (m?.similarProductGroups ?? []).forEach((set, i) =>
    set.forEach(
      (g, j) =>
        groups.has(g) ||
        err(joinPath(joinPath('marketing.similarProductGroups', i), j), `unknown product group "${g}"`),
    ),
  );

  for (const [name, form] of Object.entries(file.consentForms)) {
    const path = joinPath('consentForms', name);
    checkPurposes(joinPath(path, 'firstLayer'), form.firstLayer);
    checkPurposes(joinPath(path, 'secondLayer'), form.secondLayer);
    checkPurposes(joinPath(path, 'purposes'), form.purposes);
    for (const [choice, list] of Object.entries(form.choices ?? {})) {
      checkPurposes(joinPath(joinPath(path, 'choices'), choice), list);
    }
    for (const [i, p] of [...(form.firstLayer ?? []), ...(form.secondLayer ?? [])].entries()) {
      if (own(file.purposes, p)?.necessary === true) {
        err(
          joinPath(path, 'firstLayer'),
          `lists strictly necessary purpose "${p}" (item ${i}); necessary is not consent (R6)`,
        );
      }
    }
    if (form.kind === 'cookie-banner') {
      if (form.firstLayer === undefined) err(path, 'a cookie banner needs firstLayer (R2)');
      if (form.choices === undefined) err(path, 'a cookie banner needs choices, the layer-2 mapping (R3)');
    }
    if (form.kind === 'marketing-consent') {
      if (form.purposes === undefined) err(path, 'a marketing consent form needs purposes');
      if (form.scopes === undefined)
        err(path, 'a marketing consent form needs scopes (brand, channel, product groups; R14)');
      if (m === undefined) err(path, 'marketing consent forms need the top-level marketing section');
      form.scopes?.forEach((s, i) => checkScope(joinPath(joinPath(path, 'scopes'), i), s));
      if (form.context === 'competition' && form.competition === undefined) {
        err(path, 'a competition form needs the competition section (R17)');
      }
    }
  }

  const attributesByType = new Map<string, Set<string>>();
  const allAttributePaths = new Set<string>();
  for (const [source, spec] of Object.entries(file.sources)) {
    for (const [type, t] of Object.entries(spec.types)) {
      const path = joinPath(joinPath(joinPath(joinPath('sources', source), 'types'), type), 'attributes');
      const set = new Set<string>();
      const typePath = joinPath(joinPath(joinPath('sources', source), 'types'), type);
      for (const e of checkSchemaPatterns(t.schema, joinPath(typePath, 'schema'))) errors.push(e);
      for (const [attr, a] of Object.entries(t.attributes)) {
        // Each segment becomes a key of the records built for destinations (`meta.valueOf`).
        const reserved = attr.split(/\.|\[\]/).find(isReservedName);
        if (reserved !== undefined)
          err(joinPath(path, attr), `"${reserved}" is a reserved name (a JavaScript object key); rename it`);
        set.add(attr);
        allAttributePaths.add(attr);
        checkPurposes(joinPath(joinPath(path, attr), 'purposes'), a.purposes);
      }
      for (const attr of set) {
        for (const other of set) {
          if (other !== attr && other.startsWith(`${attr}.`)) {
            err(
              joinPath(path, other),
              `overlaps attribute "${attr}"; declare either the object or its fields`,
            );
          }
        }
      }
      const linkPath = joinPath(typePath, 'identityLink');
      for (const e of checkElementPaths(t, path, linkPath)) errors.push(e);
      attributesByType.set(`${source}\u0000${type}`, set);
      if (t.identityLink !== undefined) {
        const lp = joinPath(joinPath(joinPath(joinPath('sources', source), 'types'), type), 'identityLink');
        if (!set.has(t.identityLink.aliasPath)) {
          err(
            joinPath(lp, 'aliasPath'),
            `"${t.identityLink.aliasPath}" is not a declared attribute of this type`,
          );
        }
        if (!purposes.has(t.identityLink.requiresPurpose)) {
          err(joinPath(lp, 'requiresPurpose'), `unknown purpose "${t.identityLink.requiresPurpose}"`);
        }
      }
    }
  }

  for (const [source, spec] of Object.entries(file.sources))
    for (const [type, t] of Object.entries(spec.types))
      checkRequirements(
        joinPath(joinPath(joinPath('sources', source), 'types'), type),
        t,
        file.purposes,
        purposes,
        err,
      );

  (file.compatibilityAssessments ?? []).forEach((a, i) => {
    const path = joinPath('compatibilityAssessments', i);
    const attrs = attributesByType.get(`${a.source}\u0000${a.type}`);
    if (attrs === undefined) err(path, `unknown source event type "${a.source}" / "${a.type}"`);
    else if (!attrs.has(a.attribute)) err(joinPath(path, 'attribute'), `unknown attribute "${a.attribute}"`);
    const target = own(file.purposes, a.purpose);
    if (target === undefined) err(joinPath(path, 'purpose'), `unknown purpose "${a.purpose}"`);
    else if (target.legalBasis === 'consent') {
      err(
        joinPath(path, 'purpose'),
        `"${a.purpose}" rests on consent; an Art. 6(4) assessment cannot replace consent`,
      );
    }
    const original = own(own(own(file.sources, a.source)?.types, a.type)?.attributes, a.attribute);
    if (
      original !== undefined &&
      original.purposes.every((p) => own(file.purposes, p)?.legalBasis === 'consent')
    ) {
      err(path, 'the attribute was collected on consent only; there is no compatibility route (Art. 6(4))');
    }
  });

  const tracking = file.options?.engagementTrackingPurpose;
  if (tracking !== undefined && !purposes.has(tracking)) {
    err('options.engagementTrackingPurpose', `unknown purpose "${tracking}"`);
  }

  for (const [name, d] of Object.entries(file.destinations)) {
    const path = joinPath('destinations', name);
    checkPurposes(joinPath(path, 'purposes'), d.purposes);
    for (const field of Object.keys(d.fields)) {
      if (!allAttributePaths.has(field)) {
        err(
          joinPath(joinPath(path, 'fields'), field),
          `unknown attribute "${field}" (not declared by any source)`,
        );
      }
    }
    if (d.channel !== 'none') {
      if (d.marketing === undefined)
        err(path, `a ${d.channel} destination needs the marketing section (R14)`);
      else {
        if (!brands.has(d.marketing.brand))
          err(joinPath(path, 'marketing.brand'), `unknown brand "${d.marketing.brand}"`);
        if (!channels.has(d.channel))
          err(joinPath(path, 'channel'), `channel "${d.channel}" is not in marketing.channels`);
        d.marketing.productGroups.forEach(
          (g, i) =>
            groups.has(g) ||
            err(joinPath(joinPath(path, 'marketing.productGroups'), i), `unknown product group "${g}"`),
        );
      }
    }
  }
  for (const e of checkEngagement(file)) errors.push(e);
  for (const e of checkAggregates(file)) errors.push(e);
  for (const e of checkProcessingRecords(file)) errors.push(e);
  for (const e of checkPersonIdentifiers(file)) errors.push(e);
  for (const e of checkCmpCategories(file)) errors.push(e);
  return errors;
}

/**
 * A type's consent requirements (`requires`, `device`): declared purposes only, each a purpose its
 * attributes are collected for; a device requirement needs the device identifier, which must be
 * the subject or the identity link's alias (the engine keeps only those keys' state together).
 */
function checkRequirements(
  typePath: string,
  t: EventTypeFile,
  declared: PolicyFile['purposes'],
  purposes: ReadonlySet<string>,
  err: (path: string, message: string) => void,
): void {
  if (t.device !== undefined && t.device !== 'subject' && t.device !== t.identityLink?.aliasPath)
    err(joinPath(typePath, 'device'), 'must be "subject" or the identity link\'s aliasPath');
  const collected = new Set(Object.values(t.attributes).flatMap((a) => a.purposes));
  // A purpose that requires a device consent wherever it is used needs every such type's device.
  for (const p of collected) {
    if (t.device !== undefined || !purposes.has(p)) continue;
    if (own(declared, p)?.requires?.some((r) => r.holder === 'device') === true)
      err(typePath, `purpose "${p}" requires a device consent; declare this type's device`);
  }
  for (const [p, list] of Object.entries(t.requires ?? {})) {
    const path = joinPath(joinPath(typePath, 'requires'), p);
    if (!purposes.has(p)) err(path, `unknown purpose "${p}"`);
    else if (!collected.has(p)) err(path, `no attribute of this type is collected for "${p}"`);
    list.forEach((r, i) => {
      if (!purposes.has(r.purpose))
        err(joinPath(joinPath(path, i), 'purpose'), `unknown purpose "${r.purpose}"`);
      if (r.holder === 'device' && t.device === undefined)
        err(joinPath(joinPath(path, i), 'holder'), 'a device consent needs the type to declare its device');
    });
  }
}
