/**
 * Thrown by a batch handler when the batch could succeed later unchanged (a dependency is down, a
 * timeout): the transaction is aborted, nothing is committed and the same batch is retried after a
 * backoff. Bad input is never a TransientError: the handler returns it as a dead-letter record.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** True for errors that say "try again": TransientError and kafkajs errors kafkajs marks retriable. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (typeof error === 'object' && error !== null && 'retriable' in error) {
    return (error as { retriable?: unknown }).retriable === true;
  }
  return false;
}

/** The error's name without its message: messages may quote input, names never do. */
export function errorName(error: unknown): string {
  if (error instanceof Error) {
    const type = (error as Error & { type?: unknown }).type;
    return typeof type === 'string' ? `${error.name}:${type}` : error.name;
  }
  return typeof error;
}
