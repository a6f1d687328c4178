import { Controller, Get, Header, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Open } from '../access/access.guard';
import { notFound } from '../api/api-error';

/** The console's files: a fixed list, so no request path ever reaches the file system. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * The folder of the static files: beside the sources (`services/audit/console`), found from the
 * sources (tests), from `dist/` or from any other build folder inside the project.
 */
function consoleDir(): string {
  for (let dir = __dirname, i = 0; i < 10; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'services/audit/console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return join(__dirname, '../../console');
}

/**
 * The auditor console: static HTML, CSS and plain JavaScript served by the service, no CDN and no
 * build step. The files hold no data (the page asks the API with the key the user types), so they
 * need no credentials; a strict content security policy allows only this origin.
 */
@ApiExcludeController()
@Controller()
@Open()
export class ConsoleController {
  private readonly dir = consoleDir();
  private readonly cache = new Map<string, Buffer>();

  @Get()
  @Redirect('/console/', 302)
  root(): void {}

  // `/console` and `/console/` (routing is not strict about the slash); assets are linked absolutely.
  @Get('console')
  @Header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('console/:file')
  @Header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
  file(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    const type = Object.hasOwn(FILES, file) ? FILES[file] : undefined;
    if (type === undefined) throw notFound('console file');
    let body = this.cache.get(file);
    if (body === undefined) {
      body = readFileSync(join(this.dir, file));
      this.cache.set(file, body);
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(type).send(body);
  }
}
