/** What a request asks: its route (with the path's parameters), its decoded path and query. */
import type { IncomingMessage } from 'node:http';
import type { RecordedRequest, Route } from './options';

const ROUTES: Array<{ route: Route; method: string; pattern: RegExp }> = [
  { route: 'token', method: 'POST', pattern: /^\/v3\/auth\/tokens$/ },
  { route: 'list', method: 'GET', pattern: /^\/v1\/([^/]+)\/jobs\/instances\/detail$/ },
  { route: 'show', method: 'GET', pattern: /^\/v1\/([^/]+)\/jobs\/([^/]+)\/instances\/(\d+)$/ },
  { route: 'restart', method: 'POST', pattern: /^\/v1\/([^/]+)\/jobs\/([^/]+)\/instances\/(\d+)\/restart$/ },
];

/** The route a request matched and its path parameters as sent (project, job, instance). */
export interface MatchedRoute {
  route: Route;
  params: RegExpExecArray;
}

/** The request as recorded (status 0 until answered), and its route if one matched. */
export function readRequest(
  req: IncomingMessage,
  requestId: string,
): { record: RecordedRequest; found: MatchedRoute | undefined } {
  const rawUrl = req.url ?? '/';
  const [rawPath = '/', rawQuery = ''] = rawUrl.split('?', 2);
  const path = rawPath.split('/').map(safeDecode).join('/');
  const query: Record<string, string> = {};
  for (const pair of rawQuery.split('&').filter(Boolean)) {
    const [k = '', v = ''] = pair.split('=', 2);
    query[safeDecode(k)] = safeDecode(v);
  }
  const found = ROUTES.map((r) => ({
    route: r.route,
    params: r.method === req.method ? r.pattern.exec(rawPath) : null,
  })).find((x): x is MatchedRoute => x.params !== null);
  const record: RecordedRequest = {
    route: found?.route ?? 'unknown',
    method: req.method ?? '',
    path,
    query,
    headers: { ...req.headers },
    status: 0,
    requestId,
  };
  return { record, found };
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
