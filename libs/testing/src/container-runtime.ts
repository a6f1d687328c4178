/**
 * True when testcontainers can reach a container runtime (Docker or compatible). Never throws:
 * on machines without one the tests fall back to the message that names the local broker command.
 */
export async function containerRuntimeAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
