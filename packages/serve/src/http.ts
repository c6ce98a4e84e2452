/**
 * HTTP pieces both APIs of the server share: errors that carry a status (and headers), the
 * JSON body parser, and the answer to a method a route does not take (405 with `Allow`).
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error with the HTTP status (and any headers, e.g. `Allow`) to answer it with. */
export type HttpError = Error & { statusCode: number; headers?: Record<string, string> };

/** Makes an {@link HttpError}. */
export function httpError(statusCode: number, message: string, headers?: Record<string, string>): HttpError {
  return Object.assign(new Error(message), { statusCode }, headers ? { headers } : {});
}

/**
 * A Fastify content-type parser that reads the body as JSON: an empty body or invalid JSON
 * is a 400 whose message ends with `expected` (what the route wants). `JSON.parse` keeps a
 * `"__proto__"` key as a plain own property (no prototype change), which validation rejects.
 */
export function jsonBodyParser(expected: string) {
  return (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(httpError(400, `body is empty; ${expected}`), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(httpError(400, `body is not valid JSON (${err instanceof Error ? err.message : String(err)}); ${expected}`), undefined);
    }
  };
}

/** Every method the server knows of; a route answers the ones it does not take with 405. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** The methods `allowed` as an `Allow` header value (GET brings HEAD, which Fastify answers with it). */
export function allowHeader(allowed: readonly string[]): string {
  return [...new Set(allowed.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])))].join(', ');
}

/**
 * Answers `OPTIONS` with 204 and `Allow` (returns true: answered); throws a 405
 * {@link HttpError} carrying `Allow` for any other method `allowed` does not hold; returns
 * false when the method is allowed. `what` names the resource in the message.
 */
export function answerOtherMethods(req: FastifyRequest, reply: FastifyReply, allowed: readonly string[], what: string): boolean {
  const allow = allowHeader(allowed);
  if (allow.split(', ').includes(req.method)) return false;
  if (req.method === 'OPTIONS') {
    void reply.code(204).header('allow', allow).send();
    return true;
  }
  throw httpError(405, `${req.method} is not allowed on ${what}; use ${allow}`, { allow });
}

/**
 * Registers the methods `url`'s routes do not take, answered before any body is read:
 * OPTIONS with 204 and `Allow`, the others with 405 and `Allow`.
 */
export function refuseOtherMethods<L extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L>, url: string, allowed: readonly string[]): void {
  const allow = allowHeader(allowed).split(', ');
  app.route({
    method: HTTP_METHODS.filter((m) => !allow.includes(m)),
    url,
    onRequest: async (req, reply) => {
      if (answerOtherMethods(req, reply, allowed, url)) return reply;
      return undefined;
    },
    handler: async () => undefined,
  });
}
