// Writes a .br and a .gz file next to each text file of the built client (scripts, style sheets,
// the page, SVG), so the server sends them compressed without compressing on every request
// (@fastify/static's preCompressed). Run by `npm run build:client`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = path.resolve(process.argv[2] ?? 'dist/client');
const TEXT = /\.(js|css|html|svg|json|txt)$/;
let raw = 0;
let br = 0;
let gz = 0;
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (TEXT.test(e.name)) {
      const data = fs.readFileSync(p);
      if (data.length < 1024) continue;
      const b = zlib.brotliCompressSync(data, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      });
      const g = zlib.gzipSync(data, { level: 9 });
      fs.writeFileSync(`${p}.br`, b);
      fs.writeFileSync(`${p}.gz`, g);
      raw += data.length;
      br += b.length;
      gz += g.length;
    }
  }
};
walk(dir);
const kb = (n) => `${Math.round(n / 1024)} KB`;
console.log(
  `precompressed ${path.relative(process.cwd(), dir)}: ${kb(raw)} → ${kb(gz)} gzip, ${kb(br)} brotli`,
);
