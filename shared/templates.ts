/**
 * Document templates. A document is created from a template once, on the server (never seeded
 * by a client, which would duplicate the content when two clients seed at the same time).
 */
import type { Node as PMNode } from 'prosemirror-model';
import { newNodeId } from './ids.js';
import { schema } from './schema.js';

export const TEMPLATE_IDS = ['gge-report', 'oewg-report', 'ga-resolution', 'blank'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export interface TemplateInfo {
  id: TemplateId;
  name: string;
  description: string;
  /** What the document is (shared/schema.ts documentType). */
  documentType: 'report' | 'resolution';
}

export const TEMPLATES: readonly TemplateInfo[] = [
  {
    id: 'gge-report',
    name: 'GGE report',
    description:
      'The 2015 GGE report (A/70/174): foreword and letter of transmittal, seven chapters ' +
      '(introduction, threats, norms, confidence-building measures, capacity-building, ' +
      'international law, conclusions) and the list of members as an annex.',
    documentType: 'report',
  },
  {
    id: 'oewg-report',
    name: 'OEWG report',
    description:
      'The 2021 OEWG final report (A/75/816): introduction, organizational matters, the ' +
      "substantive report in lettered sections (A. to G.), and the Chair's summary as an annex.",
    documentType: 'report',
  },
  {
    id: 'ga-resolution',
    name: 'GA resolution',
    description:
      'A General Assembly (First Committee) draft resolution: title, preambular paragraphs ' +
      '(Recalling …,) and numbered operative paragraphs (Welcomes …;).',
    documentType: 'resolution',
  },
  {
    id: 'blank',
    name: 'Blank report',
    description: 'A title and one empty chapter.',
    documentType: 'report',
  },
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

/** The sections of the substantive part of the 2021 OEWG report (A/75/816). */
export const OEWG_2021_SECTIONS: readonly string[] = [
  'Introduction',
  'Existing and potential threats',
  'Rules, norms and principles for responsible State behaviour',
  'International law',
  'Confidence-building measures',
  'Capacity-building',
  'Regular institutional dialogue',
];

const n = schema.nodes;
const text = (s: string) => (s ? schema.text(s) : null);
const paragraph = () => n['paragraph']!.create({ id: newNodeId(), level: 0 });
const frontMatter = (heading: string) =>
  n['front_matter']!.create({ id: newNodeId() }, [
    n['front_heading']!.create(null, text(heading)),
    paragraph(),
  ]);
const section = (heading: string) =>
  n['section']!.create({ id: newNodeId() }, [
    n['section_heading']!.create(null, text(heading)),
    paragraph(),
  ]);
function chapter(heading: string, sections: readonly string[] = []): PMNode {
  return n['chapter']!.create({ id: newNodeId() }, [
    n['chapter_heading']!.create(null, text(heading)),
    ...(sections.length > 0 ? sections.map(section) : [paragraph()]),
  ]);
}
const annex = (title: string) =>
  n['annex']!.create({ id: newNodeId() }, [
    n['annex_heading']!.create(null, text(title)),
    paragraph(),
  ]);

function body(template: TemplateId): PMNode[] {
  switch (template) {
    case 'gge-report':
      return [
        frontMatter('Foreword by the Secretary-General'),
        frontMatter('Letter of transmittal'),
        ...GGE_2015_CHAPTERS.map((c) => chapter(c)),
        annex('List of members of the Group of Governmental Experts'),
      ];
    case 'oewg-report':
      return [
        chapter('Introduction'),
        chapter('Organizational matters'),
        chapter('Final substantive report', OEWG_2021_SECTIONS),
        annex("Chair's summary"),
      ];
    case 'ga-resolution':
      return [n['preamble']!.create(null, paragraph()), n['operative']!.create(null, paragraph())];
    case 'blank':
      return [chapter('')];
  }
}

/** A fresh ProseMirror document for a new report (every identified node with a new id). */
export function templateDocument(template: TemplateId, title: string): PMNode {
  return n['doc']!.createChecked(null, [n['title']!.create(null, text(title)), ...body(template)]);
}
