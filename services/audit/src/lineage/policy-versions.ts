import { Inject, Injectable } from '@nestjs/common';
import type { DecisionLineageRecord, RenderedDecision } from '@app/contracts';
import { type CompiledPolicy, LineageRenderError, loadPolicy, renderDecision } from '@app/policy';
import { ApiError } from '../api/api-error';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader } from './lineage.reader';

/** Compiled policies kept at once; a deployment has a handful of live versions. */
const CACHED = 16;

/**
 * The policy versions decisions were taken under, compiled from the text the engine published (the
 * store keeps it), so every decision is rendered by the code that took it against its own version.
 */
@Injectable()
export class PolicyVersions {
  private readonly cache = new Map<string, CompiledPolicy>();

  constructor(@Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader) {}

  async compiled(version: string): Promise<CompiledPolicy> {
    const hit = this.cache.get(version);
    if (hit !== undefined) return hit;
    const text = await this.lineage.policyText(version);
    if (text === null)
      throw new ApiError(
        'policy-version-missing',
        'the policy version of this record is not in the store yet; retry once the sink has read it',
      );
    const policy = loadPolicy(text, { fileName: 'policy-version.yaml' });
    if (policy.version !== version)
      throw new ApiError(
        'policy-version-missing',
        'the stored text of this policy version does not compile to it',
      );
    if (this.cache.size >= CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(version, policy);
    return policy;
  }

  /** The policy the engine published last (Art. 30 record, defaults). */
  async latest(): Promise<CompiledPolicy> {
    const version = await this.lineage.latestPolicyVersion();
    if (version === null)
      throw new ApiError(
        'policy-version-missing',
        'no policy version is in the store yet; start the engine and the sink',
      );
    return this.compiled(version);
  }

  /** A decision record rendered per destination against its own policy version; never guessed. */
  async render(record: DecisionLineageRecord): Promise<RenderedDecision[]> {
    const policy = await this.compiled(record.policyVersion);
    try {
      return renderDecision(policy, record);
    } catch (error) {
      if (error instanceof LineageRenderError)
        throw new ApiError(
          'lineage-unrenderable',
          'a stored decision does not replay against its policy version; report it',
        );
      throw error;
    }
  }
}
