// The stage tests' HTTP client: stage 4's (real requests, nothing hidden) and
// the one route stage 5 adds, a link's aggregates.
import { request, type Answer } from '../exercise4-link-shortener/api.ts';

export { follow, request, shorten, shown, type Answer } from '../exercise4-link-shortener/api.ts';

/** GET /<code>/aggregates, as text or (json) with Accept: application/json. */
export const aggregates = (port: number, code: string, json = false): Promise<Answer> =>
  request(port, 'GET', `/${code}/aggregates`, json ? { headers: { accept: 'application/json' } } : {});
