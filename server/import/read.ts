/** Which reader reads which format; each refuses what is not what it claims with a 400. */
import type { ImportFormat } from '../../shared/import.js';
import { readAkn } from './akn.js';
import { readDocx } from './docx.js';
import { type Recognised, recognise } from './recognise.js';
import { ImportError } from './source.js';
import { decodeText, readText } from './text.js';

export async function readImport(format: ImportFormat, bytes: Uint8Array): Promise<Recognised> {
  switch (format) {
    case 'text':
      if (bytes[0] === 0x50 && bytes[1] === 0x4b)
        throw new ImportError(
          400,
          'Not plain text: this is a zip archive (a .docx?). Choose Word.',
        );
      return recognise(readText(decodeText(bytes)));
    case 'docx': {
      const { source, notes } = await readDocx(bytes);
      const rec = recognise(source);
      return { ...rec, notes: [...notes, ...rec.notes] };
    }
    case 'akn':
      if (bytes[0] === 0x50 && bytes[1] === 0x4b)
        throw new ImportError(
          400,
          'Not Akoma Ntoso: this is a zip archive (a .docx?). Choose Word.',
        );
      return readAkn(bytes);
  }
}
