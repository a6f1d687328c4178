import { type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';

/** Boots Nest modules as a real HTTP application on a free loopback port. */
export async function startNestApp(
  imports: ModuleMetadata['imports'],
): Promise<{ app: INestApplication; url: string }> {
  const ref = await Test.createTestingModule({ imports }).compile();
  const app = ref.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}
