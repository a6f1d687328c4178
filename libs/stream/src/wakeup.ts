/**
 * A wait that ends early when notified. Why not a fixed sleep: a task blocked at an import marker
 * waits for another task's handover, and with identity routing that happens at every link; a 20 ms
 * sleep per blocked round was most of the engine's time on a link-heavy stream. The claim loop uses
 * one too, so that a stop, a group join or a crash ends its idle and backoff waits at once.
 */
export class Wakeup {
  private signal: Promise<void> | null = null;
  private release: (() => void) | null = null;

  /** Resolves on the next {@link notify}, or after `ms` at the latest. */
  wait(ms: number): Promise<void> {
    this.signal ??= new Promise<void>((resolve) => (this.release = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([this.signal, timeout]).finally(() => clearTimeout(timer));
  }

  /** Ends every wait in progress. */
  notify(): void {
    this.release?.();
    this.signal = null;
    this.release = null;
  }
}
