/** Injection token of the validated settings. */
export const ENGINE_SETTINGS = Symbol('ENGINE_SETTINGS');
