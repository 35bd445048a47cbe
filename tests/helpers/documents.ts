/**
 * Documents for unit tests that are about chapters and paragraphs only: the seven chapters of
 * the GGE report, each a heading and one empty paragraph (the GGE template without its front
 * matter and annex, which shared/templates.ts adds around them).
 */
import type { Node as PMNode } from 'prosemirror-model';
import { newNodeId } from '../../shared/ids.js';
import { schema } from '../../shared/schema.js';
import { GGE_2015_CHAPTERS } from '../../shared/templates.js';

export function chaptersDocument(title = 'Report', headings = GGE_2015_CHAPTERS): PMNode {
  const n = schema.nodes;
  return n['doc']!.createChecked(null, [
    n['title']!.create(null, title ? schema.text(title) : null),
    ...headings.map((h) =>
      n['chapter']!.create({ id: newNodeId() }, [
        n['chapter_heading']!.create(null, schema.text(h)),
        n['paragraph']!.create({ id: newNodeId(), level: 0 }),
      ]),
    ),
  ]);
}
