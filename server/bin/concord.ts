/** `npm run concord -- …`: the operator CLI (commands in server/cli.ts). */
import { runCli } from '../cli.js';

runCli(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`concord: ${(err as Error).message}`);
  process.exit(2);
});
