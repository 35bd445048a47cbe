/** What the export route accepts: server/export/routes.ts (GET /api/reports/:id/export?…). */
import { type Static, Type } from 'typebox';
import { closed } from './common.js';

export const EXPORT_FORMATS = ['docx', 'akn'] as const;
export const EXPORT_LAYOUTS = ['manuscript', 'issued'] as const;
export const EXPORT_OPTIONS = ['clean', 'brackets', 'status'] as const;

export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const ExportQuery = Type.Object(
  {
    format: Type.Enum(EXPORT_FORMATS),
    layout: Type.Optional(Type.Enum(EXPORT_LAYOUTS)),
    options: Type.Optional(Type.Enum(EXPORT_OPTIONS)),
    /** A revision's id or its label ("Rev.1", "Zero draft"). */
    revision: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  closed,
);
export type ExportQuery = Static<typeof ExportQuery>;
