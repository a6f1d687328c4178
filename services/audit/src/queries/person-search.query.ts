import { Inject, Injectable } from '@nestjs/common';
import { lineagePseudonym, type PseudonymKeyring } from '@app/policy';
import { ApiError } from '../api/api-error';
import { AUDIT_KEYRING, AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader } from '../lineage/lineage.reader';

/** One pseudonym a search found a person under. */
export interface FoundSubject {
  readonly pseudonym: string;
  /** `identifier`: computed from what was typed (under `keyId`); `identity-link`: joined to one of those. */
  readonly via: 'identifier' | 'identity-link';
  /** Whether the lineage holds any record under it. */
  readonly inLineage: boolean;
}

/**
 * Finds a person's lineage from an identifier in clear: the lineage pseudonym under every key id of
 * the keyring (retired ids too, so records from before a rotation are found), canonicalised as the
 * core does, plus the pseudonyms an accepted identity link joined to them. The identifier itself is
 * used for the HMAC only: never stored, logged or returned.
 */
@Injectable()
export class PersonSearch {
  constructor(
    @Inject(AUDIT_KEYRING) private readonly keyring: PseudonymKeyring | null,
    @Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader,
  ) {}

  async find(identifier: string): Promise<FoundSubject[]> {
    const keyring = this.keyring;
    if (keyring === null)
      throw new ApiError(
        'keyring-not-configured',
        "set GOVERN_PSEUDONYM_KEYS (the engine's keyring) on the audit service to search persons",
      );
    const direct = [...keyring.secrets.keys()].map((keyId) => lineagePseudonym(keyring, identifier, keyId));
    const linked = (await this.lineage.linkedSubjects(direct)).filter((p) => !direct.includes(p));
    const found: FoundSubject[] = [];
    for (const [via, list] of [
      ['identifier', direct],
      ['identity-link', linked],
    ] as const)
      for (const pseudonym of list) {
        const any = await this.lineage.subjectRecords([pseudonym], { limit: 1 });
        found.push({ pseudonym, via, inLineage: any.length > 0 });
      }
    return found;
  }
}
