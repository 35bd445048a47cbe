/** What the import routes accept (server/import/routes.ts); the body is the file itself. */
import { type Static, Type } from 'typebox';
import { REPORT_TITLE_MAX } from '../api.js';
import { IMPORT_FORMATS } from '../import.js';
import { LINE_PATTERN } from '../input.js';
import { closed, GroupId } from './common.js';

/** /api/groups/:id/import… */
export const ImportParams = Type.Object({ id: GroupId });
export type ImportParams = Static<typeof ImportParams>;

/** ?format=text|docx|akn[&title=…] (the title names the new report; default: the document's). */
export const ImportQuery = Type.Object(
  {
    format: Type.Enum(IMPORT_FORMATS),
    title: Type.Optional(
      Type.String({ minLength: 1, maxLength: REPORT_TITLE_MAX, pattern: LINE_PATTERN }),
    ),
  },
  closed,
);
export type ImportQuery = Static<typeof ImportQuery>;
