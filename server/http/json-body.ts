/**
 * JSON request bodies are UTF-8: bytes that are not (a truncated or Latin-1 client) are refused
 * with a 400 that says so. Fastify's own parser decodes them to U+FFFD and stores the result
 * silently. Parsing itself stays Fastify's (secure-json-parse, prototype poisoning refused).
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../auth/policy.js';

export const NOT_UTF8_MESSAGE =
  'The request body is not valid UTF-8: nothing was changed. Send JSON encoded as UTF-8.';

export function installJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new HttpError(400, NOT_UTF8_MESSAGE), undefined);
      return;
    }
    parse(req, bytes.toString('utf8'), done);
  });
}
