/**
 * Resolves once `ready()` holds, polling every 100 ms, or fails after `ms` (a test's bound on a wait
 * for the engine, never a timed assertion).
 */
export async function until(ready: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
