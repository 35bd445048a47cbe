/**
 * What goes over the wire compressed (issue #19): API answers of 1 KB or more to a client that
 * accepts brotli or gzip (the same JSON once decompressed), the client's files as the build
 * precompressed them, with hashed assets cacheable for a year and the page asked for each time.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { openThread, paragraphIds } from '../helpers/comments.js';
import { startTestServer, tempDir } from '../helpers/server.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET that leaves the body as sent (fetch would decompress it). */
function get(url: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      })
      .on('error', reject);
  });
}

function decode(raw: Raw): Buffer {
  const enc = raw.headers['content-encoding'];
  if (enc === 'br') return zlib.brotliDecompressSync(raw.body);
  if (enc === 'gzip') return zlib.gunzipSync(raw.body);
  assert.equal(enc, undefined, `unexpected content-encoding ${enc}`);
  return raw.body;
}

test('API answers of 1 KB or more are compressed for a client that accepts it, and decode to the same JSON', async () => {
  const server = await startTestServer();
  try {
    const reportId = (await server.createReport('Compressed')).id;
    const para = (await paragraphIds(server, reportId))[0]!;
    for (let i = 0; i < 8; i++) {
      await openThread(server, server.chair, reportId, {
        paragraphId: para,
        body: `Thread ${i}: the wording of this paragraph should follow the agreed language of the last report.`,
      });
    }
    const url = `${server.baseUrl}/api/reports/${reportId}/threads`;
    const cookie = server.chair.cookie;
    const plain = await get(url, { cookie });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined, 'no accept-encoding: sent as is');
    assert.ok(plain.body.length > 1024, `the list is ${plain.body.length} bytes`);
    const expected = JSON.parse(plain.body.toString('utf8'));
    for (const encoding of ['br', 'gzip']) {
      const raw = await get(url, { cookie, 'accept-encoding': encoding });
      assert.equal(raw.status, 200);
      assert.equal(raw.headers['content-encoding'], encoding);
      assert.ok(raw.body.length < plain.body.length / 2, `${encoding}: ${raw.body.length} bytes`);
      assert.deepEqual(JSON.parse(decode(raw).toString('utf8')), expected);
    }
    // A small answer is not worth it.
    const me = await get(`${server.baseUrl}/api/me`, { cookie, 'accept-encoding': 'gzip' });
    assert.equal(me.status, 200);
    assert.ok(me.body.length < 1024);
    assert.equal(me.headers['content-encoding'], undefined);
  } finally {
    await server.close();
  }
});

test('the built client is served precompressed; hashed assets are cached for a year, the page is not', async () => {
  const dir = tempDir('concord-client-');
  fs.mkdirSync(path.join(dir, 'assets'));
  const script = `export const words = ${JSON.stringify('consensus '.repeat(400))};\n`;
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Concord</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), script);
  execFileSync(process.execPath, [path.resolve('server/scripts/precompress.mjs'), dir]);
  assert.ok(fs.existsSync(path.join(dir, 'assets', 'index-abc123.js.br')));
  assert.ok(fs.existsSync(path.join(dir, 'assets', 'index-abc123.js.gz')));
  // Under 1 KB: left alone.
  assert.ok(!fs.existsSync(path.join(dir, 'index.html.br')));

  const server = await startTestServer({ config: { clientDir: dir } });
  try {
    const url = `${server.baseUrl}/assets/index-abc123.js`;
    for (const encoding of ['br', 'gzip', null]) {
      const raw = await get(url, encoding ? { 'accept-encoding': encoding } : {});
      assert.equal(raw.status, 200);
      assert.equal(raw.headers['content-encoding'], encoding ?? undefined);
      assert.match(String(raw.headers['content-type']), /javascript/);
      assert.equal(raw.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(decode(raw).toString('utf8'), script);
    }
    const page = await get(`${server.baseUrl}/`, { 'accept-encoding': 'br' });
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-cache');
  } finally {
    await server.close();
  }
});
