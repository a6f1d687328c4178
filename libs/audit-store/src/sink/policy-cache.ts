import { type CompiledPolicy, loadPolicy } from '@app/policy';
import { type Queryable } from '../store/lineage.queries';

/**
 * Compiled policy versions by version, read from `audit_policy_version` on first use. A text that
 * does not load, or loads as another version, is remembered as unusable (null): records of it are
 * stored but not rendered. A version not stored yet is not remembered, so it is looked up again.
 */
export class PolicyCache {
  private readonly compiled = new Map<string, CompiledPolicy | null>();

  /** The compiled version; null when its text is unusable; undefined when not stored (yet). */
  async get(db: Queryable, version: string): Promise<CompiledPolicy | null | undefined> {
    if (this.compiled.has(version)) return this.compiled.get(version);
    const { rows } = await db.query<{ policy_text: string }>(
      `select policy_text from audit_policy_version where policy_version = $1`,
      [version],
    );
    const text = rows[0]?.policy_text;
    return text === undefined ? undefined : this.remember(version, text);
  }

  /** Compiles and keeps a version's text. */
  remember(version: string, text: string): CompiledPolicy | null {
    let policy: CompiledPolicy | null = null;
    try {
      const loaded = loadPolicy(text, { fileName: 'policy-version' });
      policy = loaded.version === version ? loaded : null;
    } catch {
      policy = null;
    }
    this.compiled.set(version, policy);
    return policy;
  }

  /** Forgets what a rolled-back transaction may have taught (a version whose insert did not commit). */
  forget(version: string): void {
    this.compiled.delete(version);
  }
}
