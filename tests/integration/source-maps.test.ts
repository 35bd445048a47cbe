/**
 * The client's source maps (about 2 MB) are served only when CONCORD_SOURCE_MAPS=on; the build
 * still makes them. The rest of the client is served either way.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../server/config.js';
import { startTestServer, tempDir } from '../helpers/server.js';

function clientDir(): string {
  const dir = tempDir('concord-client-');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Concord</title>');
  fs.writeFileSync(
    path.join(dir, 'assets', 'app.js'),
    'console.log(1);\n//# sourceMappingURL=app.js.map',
  );
  fs.writeFileSync(
    path.join(dir, 'assets', 'app.js.map'),
    '{"version":3,"sources":[],"mappings":""}',
  );
  return dir;
}

for (const sourceMaps of [false, true]) {
  test(`source maps ${sourceMaps ? 'on: served' : 'off (the default): 404'}; the client itself is served`, async () => {
    const server = await startTestServer({ config: { clientDir: clientDir(), sourceMaps } });
    try {
      assert.equal((await fetch(`${server.baseUrl}/assets/app.js`)).status, 200);
      assert.equal((await fetch(`${server.baseUrl}/`)).status, 200);
      const map = await fetch(`${server.baseUrl}/assets/app.js.map`);
      assert.equal(map.status, sourceMaps ? 200 : 404);
    } finally {
      await server.close();
    }
  });
}

test('CONCORD_SOURCE_MAPS is on or off; anything else stops the server naming it', () => {
  assert.equal(loadConfig({}).sourceMaps, false);
  assert.equal(loadConfig({ CONCORD_SOURCE_MAPS: 'on' }).sourceMaps, true);
  assert.throws(
    () => loadConfig({ CONCORD_SOURCE_MAPS: 'yes' }),
    (err: unknown) => {
      return err instanceof ConfigError && err.variable === 'CONCORD_SOURCE_MAPS';
    },
  );
});
