/** Something a service needs before it can do its job (a broker, a database). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when ready; rejects with a reason (no personal data) when not. */
  check(): Promise<void>;
  /** Releases connections the check holds; called when the application shuts down. */
  close?(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
