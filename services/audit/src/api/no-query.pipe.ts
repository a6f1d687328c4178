import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';

/** For routes that take no query parameters: any parameter is refused, not silently ignored. */
@Injectable()
export class NoQueryPipe implements PipeTransform<unknown, undefined> {
  transform(query: unknown): undefined {
    if (typeof query === 'object' && query !== null && Object.keys(query).length > 0)
      throw new ApiError('invalid-request', 'this route takes no query parameters: see /docs');
    return undefined;
  }
}
