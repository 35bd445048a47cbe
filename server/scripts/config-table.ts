/** Prints the configuration table for README.md from CONFIG_SCHEMA (server/config.ts, the single source). */
import { CONFIG_VARIABLES } from '../config.js';

export function configTable(): string {
  const rows = CONFIG_VARIABLES.map(
    (v) => `| \`${v.name}\` | \`${v.default}\` | ${v.description} |`,
  );
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(configTable());
