/** One problem in a policy file, located by path (`destinations.email.purposes[1]`). */
export interface PolicyError {
  readonly path: string;
  readonly message: string;
}

/** Thrown by {@link loadPolicy} with every error found, not just the first. */
export class PolicyLoadError extends Error {
  constructor(
    readonly fileName: string,
    readonly errors: readonly PolicyError[],
  ) {
    super(`${fileName}: ${errors.length} error(s)\n${errors.map(formatPolicyError).join('\n')}`);
    this.name = 'PolicyLoadError';
  }
}

/** `path: message`, the line format the CLI prints. */
export function formatPolicyError(error: PolicyError): string {
  return error.path === '' ? error.message : `${error.path}: ${error.message}`;
}

/** Builds a readable path; keys containing dots are quoted so the path stays unambiguous. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}['${key}']`;
}

/** Converts an ajv instancePath (`/a/b/0`) to our path format. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((acc, part) => joinPath(acc, /^\d+$/.test(part) ? Number(part) : part), '');
}
