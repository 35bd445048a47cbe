/** `npm run demo`: seeds the demo group into the configured data directory (then npm starts the server). */
import { loadConfig } from '../config.js';
import { DEMO_ACCOUNTS, seedDemo } from '../demo.js';
import { openStorage } from '../storage/open.js';

const config = loadConfig();
const storage = await openStorage(config);
const { created } = await seedDemo(storage);
await storage.close();
console.log(
  created
    ? '\n  Demo group created. Log in as any of:\n'
    : '\n  Demo group already present. Log in as any of:\n',
);
for (const a of DEMO_ACCOUNTS) {
  console.log(
    `    ${a.role.padEnd(11)} ${a.email.padEnd(26)} password: ${a.password}${a.represents ? `   (${a.represents})` : ''}`,
  );
}
console.log('');
