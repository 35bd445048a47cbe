/**
 * Report templates. A report is created from a template once, on the server (never seeded by a
 * client, which would duplicate the content when two clients seed at the same time).
 */
import type { Node as PMNode } from 'prosemirror-model';
import { newNodeId } from './ids.js';
import { schema } from './schema.js';

export const TEMPLATE_IDS = ['gge-report', 'blank'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export interface TemplateInfo {
  id: TemplateId;
  name: string;
  description: string;
}

export const TEMPLATES: readonly TemplateInfo[] = [
  {
    id: 'gge-report',
    name: 'GGE report',
    description:
      'The seven chapters of the 2015 GGE report (A/70/174): introduction, threats, norms, ' +
      'confidence-building measures, capacity-building, international law, conclusions.',
  },
  { id: 'blank', name: 'Blank report', description: 'A title and one empty chapter.' },
];

/** The chapters of the 2015 report (A/70/174), in its order. */
export const GGE_2015_CHAPTERS: readonly string[] = [
  'Introduction',
  'Existing and emerging threats',
  'Norms, rules and principles for the responsible behaviour of States',
  'Confidence-building measures',
  'International cooperation and assistance in ICT security and capacity-building',
  'How international law applies to the use of information and communications technologies',
  'Conclusions and recommendations for future work',
];

export const GGE_REPORT_TITLE =
  'Report of the Group of Governmental Experts on Developments in the Field of ' +
  'Information and Telecommunications in the Context of International Security';

function chapter(heading: string): PMNode {
  return schema.nodes['chapter']!.create({ id: newNodeId() }, [
    schema.nodes['chapter_heading']!.create(null, heading ? schema.text(heading) : null),
    schema.nodes['paragraph']!.create({ id: newNodeId(), level: 0 }),
  ]);
}

/** A fresh ProseMirror document for a new report (every chapter and paragraph with a new id). */
export function templateDocument(template: TemplateId, title: string): PMNode {
  const titleNode = schema.nodes['title']!.create(null, title ? schema.text(title) : null);
  const chapters = template === 'gge-report' ? GGE_2015_CHAPTERS.map(chapter) : [chapter('')];
  return schema.nodes['doc']!.create(null, [titleNode, ...chapters]);
}
