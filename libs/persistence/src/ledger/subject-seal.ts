import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type { PseudonymKeyring } from '@app/policy';

/**
 * Per-subject encryption of the ledger's identifying content (crypto-shredding). Each subject has
 * its own random 256-bit data key; the ledger stores content sealed under it with AES-256-GCM,
 * the subject's pseudonym as additional data (a sealed part cannot be moved to another subject).
 * The data key is stored wrapped (AES-256-GCM) under a key derived with HKDF-SHA256 from the
 * pseudonym keyring's secret, so no new secret is managed. Destroying a subject's wrapped key
 * makes its sealed content unreadable for good, while every row still hashes and chains.
 */

const WRAP_SALT = 'consent-governance/ledger-seal/v1';
const WRAP_INFO = 'subject-keys';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A subject's data key as stored: the keyring key id it is wrapped under, and the wrapped bytes. */
export interface WrappedSubjectKey {
  readonly subject: string;
  readonly wrapKeyId: string;
  /** base64 of iv | tag | ciphertext. */
  readonly wrappedKey: string;
}

/** Derived wrapping keys per keyring and key id: HKDF once, not per subject. */
const derived = new WeakMap<PseudonymKeyring, Map<string, KeyObject>>();

function wrapKey(keyring: PseudonymKeyring, keyId: string): KeyObject {
  let byId = derived.get(keyring);
  if (byId === undefined) derived.set(keyring, (byId = new Map()));
  const cached = byId.get(keyId);
  if (cached !== undefined) return cached;
  const secret = keyring.secrets.get(keyId);
  if (secret === undefined) throw new Error('ledger seal: the keyring has no secret for a stored key id');
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', secret, WRAP_SALT, WRAP_INFO, 32)));
  byId.set(keyId, key);
  return key;
}

/** Keys as KeyObjects: building one per encryption from raw bytes costs more than the AES itself. */
type SealKey = KeyObject;

function seal(key: SealKey, plain: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(key: SealKey, sealedText: string, aad: string): Buffer {
  const bytes = Buffer.from(sealedText, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('ledger seal: sealed content too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** A new random data key for `subject`, wrapped under the keyring's active key. */
export function newSubjectKey(
  keyring: PseudonymKeyring,
  subject: string,
): { wrapped: WrappedSubjectKey; key: KeyObject } {
  const raw = randomBytes(32);
  const wrappedKey = seal(wrapKey(keyring, keyring.activeKeyId), raw, `subject-key:${subject}`);
  return { wrapped: { subject, wrapKeyId: keyring.activeKeyId, wrappedKey }, key: createSecretKey(raw) };
}

/** The data key of a stored wrapped key (throws when the keyring cannot open it). */
export function unwrapSubjectKey(keyring: PseudonymKeyring, wrapped: WrappedSubjectKey): KeyObject {
  return createSecretKey(
    open(wrapKey(keyring, wrapped.wrapKeyId), wrapped.wrappedKey, `subject-key:${wrapped.subject}`),
  );
}

/** Seals a subject's identifying content (canonical JSON text) under its data key. */
export function sealForSubject(key: KeyObject, subject: string, text: string): string {
  return seal(key, Buffer.from(text, 'utf8'), `ledger:${subject}`);
}

/** Opens what {@link sealForSubject} sealed (throws on a wrong key or altered content). */
export function openForSubject(key: KeyObject, subject: string, sealedText: string): string {
  return open(key, sealedText, `ledger:${subject}`).toString('utf8');
}
