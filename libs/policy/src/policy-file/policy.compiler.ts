import { createHash } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type {
  CompiledAggregate,
  AttributeNode,
  AttributePlan,
  CompiledPolicy,
  ConsentRequirement,
  ConsentForm,
  DeclaredAttribute,
  Destination,
  EventTypeSpec,
  Purpose,
} from './compiled-policy.types';
import { eventTypeKey, type TopicBinding } from './compiled-policy.types';
import { aggregateTopic, CONSENT_EVIDENCE_TOPIC, sourceTopic } from '@app/contracts/topic-names';
import type { PolicyError } from './policy-error';
import { joinPath } from './policy-error';
import type {
  CmpName,
  ConsentFormFile,
  ConsentRequirementFile,
  EventTypeFile,
  PolicyFile,
} from './policy-file.types';
import { ELEMENT_MARK } from './name-rules';
import { itemsSchemaAt, readShape, schemaAt } from './value-shape';

const DAY_MS = 86_400_000;

function compileForm(version: string, form: ConsentFormFile): ConsentForm {
  const firstLayer = new Set(form.firstLayer ?? []);
  const choices = Object.values(form.choices ?? {});
  // R3: each first-layer purpose must be exactly one choice that grants exactly that purpose.
  const granular =
    form.kind !== 'cookie-banner' ||
    ([...firstLayer].every((p) => choices.some((c) => c.length === 1 && c[0] === p)) &&
      choices.every((c) => c.length === 1));
  const comp = form.competition;
  return {
    version,
    kind: form.kind,
    context: form.context ?? null,
    firstLayer,
    allPurposes: new Set([...(form.firstLayer ?? []), ...(form.secondLayer ?? []), ...(form.purposes ?? [])]),
    granular,
    scopes: form.scopes ?? [],
    withdrawalInfoShown: form.withdrawalInfoShown === true,
    doubleOptIn: form.doubleOptIn === true,
    competitionCompliant:
      form.context === 'competition'
        ? comp !== undefined &&
          comp.separateConsentStep &&
          comp.consentAsProminentAsPrize &&
          comp.productGroupsNamed &&
          comp.companiesVisible
        : null,
    affirmativeActions: new Set(form.affirmativeActions),
    choices: new Map(Object.entries(form.choices ?? {})),
    cmpCategories: new Map(
      Object.entries(form.cmpCategories ?? {}).map(([cmp, byChoice]) => [
        cmp as CmpName,
        new Map(Object.entries(byChoice)),
      ]),
    ),
    text: form.text ?? null,
    textHash: form.text === undefined ? null : textHash(form.text),
    howToWithdraw: form.howToWithdraw ?? null,
  };
}

/** The hash a consent text is known by: `sha256:` and the hex SHA-256 of its UTF-8 bytes. */
export function textHash(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** The node at `segments` (at least one) under `root`, creating the nodes on the way. */
function nodeAt(root: Map<string, AttributeNode>, segments: readonly string[]): AttributeNode {
  let level = root;
  let node: AttributeNode = {};
  segments.forEach((segment, i) => {
    node = level.get(segment) ?? {};
    level.set(segment, node);
    if (i < segments.length - 1) level = node.children ??= new Map();
  });
  return node;
}

function buildTree(attributes: readonly DeclaredAttribute[]): Map<string, AttributeNode> {
  const root = new Map<string, AttributeNode>();
  attributes.forEach((attribute, index) => {
    const node = nodeAt(root, attribute.segments);
    if (attribute.element === null) {
      node.attribute = attribute;
      node.index = index;
      return;
    }
    const member = nodeAt((node.elements ??= new Map()), attribute.element.memberSegments);
    member.attribute = attribute;
    member.index = index;
    (node.elementAttributes ??= []).push({ attribute, index });
  });
  return root;
}

/**
 * Compiles a validated policy file into lookup maps: attribute path trees per event type, and per
 * destination and event type the plan (field mode, candidate purposes) so the hot path only looks
 * things up. Schema compile errors are returned, not thrown.
 */
export function compilePolicy(
  file: PolicyFile,
  text: string,
  fileName: string,
): { policy?: CompiledPolicy; errors: PolicyError[] } {
  const errors: PolicyError[] = [];
  const contentHash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const declaredVersion = String(file.version);
  const purposes = new Map<string, Purpose>();
  for (const [key, p] of Object.entries(file.purposes)) {
    purposes.set(key, {
      key,
      legalBasis: p.legalBasis,
      directMarketing: p.directMarketing === true,
      necessary: p.necessary === true,
      description: p.description ?? key,
      record: p.record ?? null,
    });
  }
  const purpose = (key: string): Purpose => purposes.get(key) as Purpose;

  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  const eventTypes = new Map<string, EventTypeSpec>();
  // Attributes some destination asks for: an open schema there is worth a warning.
  const requested = new Set(Object.values(file.destinations).flatMap((d) => Object.keys(d.fields)));
  const openAttributes: string[] = [];
  for (const [source, spec] of Object.entries(file.sources)) {
    for (const [type, t] of Object.entries(spec.types)) {
      const path = joinPath(joinPath(joinPath(joinPath('sources', source), 'types'), type), 'schema');
      let validate;
      try {
        validate = ajv.compile(t.schema);
      } catch (e) {
        errors.push({ path, message: `invalid JSON Schema: ${e instanceof Error ? e.message : String(e)}` });
        continue;
      }
      const attributes: DeclaredAttribute[] = Object.entries(t.attributes).map(([p, a]) => {
        const [arrayPath = p, memberPath] = p.split(ELEMENT_MARK);
        const segments = arrayPath.split('.');
        const element = memberPath === undefined ? null : { memberSegments: memberPath.slice(1).split('.') };
        const { shape, open } = readShape(
          element === null
            ? schemaAt(t.schema, segments)
            : schemaAt(itemsSchemaAt(t.schema, segments), element.memberSegments),
        );
        if (open && requested.has(p)) openAttributes.push(`${source}/${type} ${p}`);
        // Elements that accept undeclared members: those members are dropped too (R28).
        const elements = `${source}/${type} ${arrayPath}${ELEMENT_MARK}`;
        if (
          element !== null &&
          requested.has(p) &&
          !openAttributes.includes(elements) &&
          readShape(itemsSchemaAt(t.schema, segments)).open
        )
          openAttributes.push(elements);
        return { path: p, segments, category: a.category, purposes: a.purposes.map(purpose), shape, element };
      });
      const key = eventTypeKey(source, type);
      eventTypes.set(key, {
        source,
        type,
        key,
        validate,
        attributes,
        tree: buildTree(attributes),
        engagement: t.engagement === true,
        personIdentifiers: (spec.identifiers?.linked ?? []).filter((name) =>
          Object.hasOwn(t.attributes, name),
        ),
        identityLink:
          t.identityLink === undefined
            ? undefined
            : {
                aliasPath: t.identityLink.aliasPath,
                requiresPurpose: purpose(t.identityLink.requiresPurpose),
              },
        ...(t.device === undefined ? {} : { device: t.device }),
        ...requirementsOf(file, t, purpose),
      });
    }
  }

  const tracking = file.options?.engagementTrackingPurpose ?? null;
  const assessments = new Map<string, string>();
  for (const a of file.compatibilityAssessments ?? []) {
    assessments.set(`${eventTypeKey(a.source, a.type)}\u0000${a.attribute}\u0000${a.purpose}`, a.id);
  }

  const destinations: Destination[] = Object.entries(file.destinations).map(([name, d]) => {
    const destPurposes = d.purposes.map(purpose);
    const plans = new Map<string, AttributePlan[]>();
    // A Map, not the parsed object: no attribute path can find an inherited key (`constructor`).
    const fields = new Map(Object.entries(d.fields));
    for (const [key, spec] of eventTypes) {
      plans.set(
        key,
        spec.attributes.map((attribute) => {
          const collected = new Set(attribute.purposes.map((p) => p.key));
          // R23: engagement data goes out under the tracking purpose only, whatever else is declared
          // (validate refuses such declarations; this keeps the core closed if one slips through).
          if (spec.engagement) for (const k of [...collected]) if (k !== tracking) collected.delete(k);
          const assessed = spec.engagement
            ? []
            : destPurposes.flatMap((p) => {
                const id = collected.has(p.key)
                  ? undefined
                  : assessments.get(`${key}\u0000${attribute.path}\u0000${p.key}`);
                return id === undefined ? [] : [{ purpose: p, assessmentId: id }];
              });
          return {
            attribute,
            mode: fields.get(attribute.path) ?? null,
            candidates: destPurposes.filter((p) => collected.has(p.key)),
            assessed,
          };
        }),
      );
    }
    return {
      name,
      topic: d.topic ?? `governed.${name}`,
      channel: d.channel,
      purposes: destPurposes,
      purposeKeys: new Set(d.purposes),
      identifiers: d.identifiers,
      marketing:
        d.marketing === undefined
          ? null
          : {
              brand: d.marketing.brand,
              channel: d.channel,
              productGroups: d.marketing.productGroups,
              unsubscribeInEveryMessage: d.marketing.unsubscribeInEveryMessage,
            },
      plans,
    };
  });

  const similarGroups = new Map<string, Set<string>>();
  for (const set of file.marketing?.similarProductGroups ?? []) {
    for (const g of set) {
      const acc = similarGroups.get(g) ?? new Set([g]);
      set.forEach((x) => acc.add(x));
      similarGroups.set(g, acc);
    }
  }
  for (const g of file.marketing?.productGroups ?? [])
    if (!similarGroups.has(g)) similarGroups.set(g, new Set([g]));

  const forms = new Map<string, ConsentForm>();
  for (const [version, form] of Object.entries(file.consentForms))
    forms.set(version, compileForm(version, form));
  const o = file.options ?? {};
  const aggregates: CompiledAggregate[] = Object.entries(file.aggregates ?? {}).map(([name, a]) => ({
    name,
    topic: a.topic ?? aggregateTopic(name),
    by: a.by,
    minimumCount: a.minimumCount,
  }));
  const inputs = compileInputTopics(file, destinations, aggregates, errors);
  if (errors.length > 0) return { errors };

  const days = (v: number | null | undefined, fallback: number | null): number | null =>
    v === undefined ? fallback : v === null ? null : v * DAY_MS;
  return {
    errors,
    policy: {
      fileName,
      declaredVersion,
      contentHash,
      version: `${declaredVersion}+${contentHash}`,
      controller: file.controller ?? null,
      controllerContact: file.controllerContact ?? null,
      dataProtectionOfficer: file.dataProtectionOfficer ?? null,
      options: {
        cookieConsentMaxAgeMs: days(o.cookieConsentMaxAgeDays, 396 * DAY_MS),
        marketingConsentMaxAgeMs: days(o.marketingConsentMaxAgeDays, null),
        maxEventBytes: o.maxEventBytes ?? 65_536,
        duplicateWindow: o.duplicateWindow ?? 256,
        engagementTrackingPurpose: tracking,
        maxEvidenceSkewMs: (o.maxEvidenceSkewSeconds ?? 86_400) * 1000,
        consentEvidenceSources: new Set(o.consentEvidenceSources ?? ['consent-service']),
        stateHorizonMs: days(o.stateHorizonDays, null),
        doubleOptInConfirmationMs: days(o.doubleOptInConfirmationDays, null),
        gpcObjectsTo: o.gpcObjectsTo ?? [],
        lineageRetentionDays: o.lineageRetentionDays,
      },
      purposes,
      forms,
      sources: new Set(Object.keys(file.sources)),
      ...inputs,
      eventTypes,
      eventTypesBySource: bySource(eventTypes.values()),
      destinations,
      destinationsByName: new Map(destinations.map((d) => [d.name, d])),
      ownBrands: new Set(file.marketing?.ownBrands ?? []),
      similarGroups,
      nonGranularForms: [...forms.values()].filter((f) => !f.granular).map((f) => f.version),
      openAttributes,
      aggregates,
    },
  };
}

/**
 * The input topics the policy declares and what each carries. Each topic carries one thing: a
 * topic shared by two sources, or by a source and consent evidence, or also written as a
 * destination, would let one party's events pass for another's (or the engine read its own output).
 */
function compileInputTopics(
  file: PolicyFile,
  destinations: readonly Destination[],
  aggregates: readonly CompiledAggregate[],
  errors: PolicyError[],
): Pick<CompiledPolicy, 'sourceTopics' | 'evidenceTopic' | 'inputTopics'> {
  const evidenceTopic = file.options?.consentEvidenceTopic ?? CONSENT_EVIDENCE_TOPIC;
  const inputTopics = new Map<string, TopicBinding>([[evidenceTopic, { kind: 'evidence' }]]);
  const sourceTopics = new Map<string, string>();
  for (const [source, spec] of Object.entries(file.sources)) {
    const topic = spec.topic ?? sourceTopic(source);
    sourceTopics.set(source, topic);
    if (inputTopics.has(topic))
      errors.push({
        path: joinPath(joinPath('sources', source), 'topic'),
        message: `topic "${topic}" is already the topic of consent evidence or of another source`,
      });
    else inputTopics.set(topic, { kind: 'source', source });
  }
  for (const d of destinations)
    if (inputTopics.has(d.topic))
      errors.push({
        path: joinPath(joinPath('destinations', d.name), 'topic'),
        message: `topic "${d.topic}" is also an input topic`,
      });
  const written = new Set(destinations.map((d) => d.topic));
  for (const a of aggregates)
    if (inputTopics.has(a.topic) || written.has(a.topic))
      errors.push({
        path: joinPath(joinPath('aggregates', a.name), 'topic'),
        message: `topic "${a.topic}" is also an input topic or another output's topic`,
      });
    else written.add(a.topic);
  return { sourceTopics, evidenceTopic, inputTopics };
}

/**
 * An event type's consent requirements per purpose: the purpose's own (`purposes.<p>.requires`, for
 * every type with an attribute collected for it), then the type's (`requires`). Empty: none.
 */
function requirementsOf(
  file: PolicyFile,
  t: EventTypeFile,
  purpose: (key: string) => Purpose,
): { requirements?: ReadonlyMap<string, readonly ConsentRequirement[]> } {
  const out = new Map<string, ConsentRequirement[]>();
  const add = (p: string, list: readonly ConsentRequirementFile[] | undefined): void => {
    if (list === undefined || list.length === 0) return;
    const all = out.get(p) ?? [];
    for (const r of list) all.push({ purpose: purpose(r.purpose), holder: r.holder });
    out.set(p, all);
  };
  const collected = new Set(Object.values(t.attributes).flatMap((a) => a.purposes));
  for (const p of collected) add(p, file.purposes[p]?.requires);
  for (const [p, list] of Object.entries(t.requires ?? {})) add(p, list);
  return out.size === 0 ? {} : { requirements: out };
}

function bySource(specs: Iterable<EventTypeSpec>): Map<string, Map<string, EventTypeSpec>> {
  const out = new Map<string, Map<string, EventTypeSpec>>();
  for (const spec of specs) {
    let types = out.get(spec.source);
    if (types === undefined) {
      types = new Map();
      out.set(spec.source, types);
    }
    types.set(spec.type, spec);
  }
  return out;
}
