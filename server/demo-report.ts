/**
 * The demo report's content: the chapters of the 2015 GGE report (A/70/174) with paragraphs
 * written in its manner (a mandate, threats, norms with lettered sub-paragraphs, confidence-
 * building, capacity-building, international law, recommendations), some still in square
 * brackets; then the negotiation around it: statuses, the States' positions, threads (a
 * question with a reply that mentions the Chair, a delegation's private thread, a note to the
 * Chair, a proposal with replacement text) and a silence procedure running for three days.
 * Everything is written through the same storage commands the routes use, so every view shows
 * it as if people had done it: every feature can be tried in a minute.
 */
import type { Node as PMNode } from 'prosemirror-model';
import type { PersonView } from '../shared/comments.js';
import type { ParagraphStatus, Position } from '../shared/consensus.js';
import { newNodeId } from '../shared/ids.js';
import { schema } from '../shared/schema.js';
import { GGE_2015_CHAPTERS } from '../shared/templates.js';
import { operatorEvent } from './accounts.js';
import type { AuditEvent, Storage } from './storage/types.js';

/** A paragraph: its text and sub-paragraph level (0: numbered, 1: (a), 2: (i)). */
type Para = [text: string, level?: number];

/** Chapter heading → its paragraphs, in the order of GGE_2015_CHAPTERS. */
const CHAPTERS: readonly (readonly Para[])[] = [
  [
    [
      'In its resolution 68/243, the General Assembly requested the Secretary-General, with the assistance of a group of governmental experts to be established in 2014, to continue to study existing and potential threats in the sphere of information security and possible cooperative measures to address them.',
    ],
    [
      'The Group met four times, in New York and Geneva. The present report reflects the views of its members, who participated in their personal capacity, and builds on the assessments and recommendations of the reports of 2010 and 2013.',
    ],
  ],
  [
    [
      'The information and communications technology (ICT) environment offers immense opportunities and continues to evolve, yet a number of States are developing ICT capabilities for military purposes, and the use of ICTs in future conflicts between States is becoming more likely.',
    ],
    [
      'The most harmful attacks using ICTs include those targeted against the critical infrastructure and associated information systems of a State. The risk of such attacks is [real and serious] [growing].',
    ],
    [
      'The diversity of malicious non-State actors, including criminal groups and terrorists, their differing motives, the speed at which malicious ICT actions can occur and the difficulty of attributing the source of an ICT incident all increase risk.',
    ],
  ],
  [
    [
      'Voluntary, non-binding norms of responsible State behaviour can reduce risks to international peace, security and stability. Taking into account existing and emerging threats, the Group recommends that States consider the following norms:',
    ],
    [
      'Consistent with the purposes of the United Nations, States should cooperate in developing and applying measures to increase stability and security in the use of ICTs and to prevent ICT practices that are acknowledged to be harmful;',
      1,
    ],
    [
      'In case of ICT incidents, States should consider all relevant information, including the larger context of the event, the challenges of attribution in the ICT environment and the nature and extent of the consequences;',
      1,
    ],
    [
      'States [should] [shall] not knowingly allow their territory to be used for internationally wrongful acts using ICTs;',
      1,
    ],
    [
      'States should not conduct or knowingly support ICT activity that intentionally damages critical infrastructure or otherwise impairs its use and operation to provide services to the public.',
      1,
    ],
  ],
  [
    [
      'Confidence-building measures strengthen international peace and security and can increase interstate cooperation, transparency, predictability and stability. The Group recommends that States consider the following voluntary measures:',
    ],
    [
      'The identification of appropriate points of contact at the policy and technical levels to address serious ICT incidents;',
      1,
    ],
    [
      'The development of mechanisms and processes for bilateral, regional, subregional and multilateral consultations on the protection of ICT-enabled critical infrastructure.',
      1,
    ],
  ],
  [
    [
      'Capacity-building is of vital importance to an effective cooperative global effort on securing the use of ICTs. Some States may require assistance to secure their critical infrastructure, to develop technical skills and appropriate legislation, and to establish computer emergency response teams.',
    ],
    [
      'States in a position to do so should consider providing technical and other assistance to build capacities in ICT security in countries requiring assistance, [in particular developing countries].',
    ],
  ],
  [
    [
      'Adherence by States to international law, in particular their Charter obligations, is an essential framework for their actions in their use of ICTs and to promote an open, secure, stable, accessible and peaceful ICT environment.',
    ],
    [
      'State sovereignty and international norms and principles that flow from sovereignty apply to the conduct by States of ICT-related activities and to their jurisdiction over ICT infrastructure within their territory.',
    ],
  ],
  [
    [
      'The Group recommends that future work consider how the norms, confidence-building measures and capacity-building set out in the present report can be further developed and implemented.',
    ],
    [
      'The Group recommends that the General Assembly consider convening a further group of governmental experts in 2016 to continue to study, with a view to promoting common understandings, the matters addressed in the present report.',
    ],
  ],
];

const n = schema.nodes;
const text = (s: string) => (s ? schema.text(s) : null);

/** The demo report as a document; `ids[c][p]` is the id of chapter c's paragraph p. */
export function demoDocument(title: string): { doc: PMNode; ids: string[][] } {
  const ids: string[][] = [];
  const frontMatter = (heading: string, body: string) =>
    n['front_matter']!.create({ id: newNodeId() }, [
      n['front_heading']!.create(null, text(heading)),
      n['paragraph']!.create({ id: newNodeId(), level: 0 }, text(body)),
    ]);
  const chapters = GGE_2015_CHAPTERS.map((heading, c) => {
    const paras = (CHAPTERS[c] ?? []).map(([body, level]) => {
      const id = newNodeId();
      return n['paragraph']!.create({ id, level: level ?? 0 }, text(body));
    });
    ids.push(paras.map((p) => p.attrs['id'] as string));
    return n['chapter']!.create({ id: newNodeId() }, [
      n['chapter_heading']!.create(null, text(heading)),
      ...paras,
    ]);
  });
  const doc = n['doc']!.createChecked(null, [
    n['title']!.create(null, text(title)),
    frontMatter(
      'Letter of transmittal',
      'I have the honour to submit herewith the report of the Group of Governmental Experts, prepared pursuant to paragraph 4 of General Assembly resolution 68/243.',
    ),
    ...chapters,
    n['annex']!.create({ id: newNodeId() }, [
      n['annex_heading']!.create(
        null,
        text('List of members of the Group of Governmental Experts'),
      ),
      n['paragraph']!.create({ id: newNodeId(), level: 0 }),
    ]),
  ]);
  return { doc, ids };
}

/** Who does what in the demo, by their demo role key. */
export interface DemoCast {
  chair: PersonView;
  secretariat: PersonView;
  brazil: PersonView;
  kenya: PersonView;
  france: PersonView;
}

const HOUR = 3_600_000;

/**
 * Writes the negotiation around the demo text: statuses, positions, threads and a running
 * silence, each stamped some hours ago (the silence ends three days from now).
 */
export async function seedNegotiation(
  storage: Storage,
  groupId: string,
  reportId: string,
  ids: string[][],
  cast: DemoCast,
): Promise<void> {
  const now = Date.now();
  const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString();
  const audit = (action: string, target: string): AuditEvent => ({
    ...operatorEvent(action, groupId, target, { report: reportId, seed: 'demo' }),
    actor: 'demo seed',
  });
  let key = 0;
  let mid = 0;
  let tid = 0;
  const nextKey = () => `demo-${++key}`;
  const message = (
    author: PersonView,
    body: string,
    hoursAgo: number,
    mentions: string[] = [],
  ) => ({
    id: `m_demo${++mid}`,
    author,
    body,
    mentions,
    at: at(hoursAgo),
  });

  const status = async (
    pid: string,
    from: ParagraphStatus,
    to: ParagraphStatus,
    h: number,
    note: string | null = null,
  ) =>
    storage.applyConsensusCommand(
      reportId,
      { type: 'status', paragraphId: pid, from, to, note, by: cast.chair, at: at(h) },
      audit('paragraph.status', pid),
    );
  const position = async (
    pid: string,
    by: PersonView,
    p: Position,
    h: number,
    explanation: string | null = null,
  ) =>
    storage.applyConsensusCommand(
      reportId,
      {
        type: 'position',
        paragraphId: pid,
        state: by.represents!,
        position: p,
        explanation,
        by,
        at: at(h),
        thread: null,
      },
      audit('paragraph.position', pid),
    );
  const open = async (
    pid: string,
    author: PersonView,
    body: string,
    h: number,
    extra: {
      visibility?: 'group' | 'delegation' | 'chair';
      proposal?: string;
      mentions?: PersonView[];
    } = {},
  ) => {
    const threadId = `t_demo${++tid}`;
    const mentions = (extra.mentions ?? []).map((p) => p.id);
    const visibility = extra.visibility ?? 'group';
    await storage.applyThreadCommand(
      reportId,
      {
        type: 'open',
        idempotencyKey: nextKey(),
        thread: {
          id: threadId,
          paragraphId: pid,
          kind: extra.proposal === undefined ? 'comment' : 'proposal',
          visibility,
          delegation: visibility === 'delegation' ? author.represents : null,
          quote: null,
          proposal: extra.proposal ?? null,
        },
        message: message(author, body, h, mentions),
      },
      audit('thread.open', threadId),
      mentions.map((userId) => ({ userId, reason: 'mention' as const })),
    );
    return threadId;
  };
  const reply = async (
    threadId: string,
    author: PersonView,
    to: PersonView,
    body: string,
    h: number,
    mentioned: PersonView[] = [],
  ) =>
    storage.applyThreadCommand(
      reportId,
      {
        type: 'reply',
        idempotencyKey: nextKey(),
        threadId,
        message: message(
          author,
          body,
          h,
          mentioned.map((p) => p.id),
        ),
      },
      audit('thread.reply', threadId),
      [
        ...mentioned.map((p) => ({ userId: p.id, reason: 'mention' as const })),
        ...(to.id === author.id ? [] : [{ userId: to.id, reason: 'reply' as const }]),
      ],
    );

  const [intro, threats, norms, cbms, capacity, law, recs] = ids as [
    string[],
    string[],
    string[],
    string[],
    string[],
    string[],
    string[],
  ];
  // The introduction is agreed; threats and norms under discussion, one norm bracketed.
  await status(intro[0]!, 'draft', 'agreed', 70);
  await status(intro[1]!, 'draft', 'agreed', 70);
  await status(threats[0]!, 'draft', 'under_discussion', 60);
  await status(threats[1]!, 'draft', 'bracketed', 60);
  await status(norms[3]!, 'draft', 'bracketed', 50);
  await status(cbms[0]!, 'draft', 'agreed_ad_ref', 30, 'Pending confirmation from capitals.');
  await status(law[1]!, 'draft', 'deferred', 28, 'Taken up with chapter VI as a whole.');

  // Positions: the first norm has everyone's support (ripe); the third divides.
  await position(norms[1]!, cast.brazil, 'can_accept', 40);
  await position(norms[1]!, cast.kenya, 'can_accept', 39);
  await position(norms[1]!, cast.france, 'can_accept', 38);
  await position(norms[3]!, cast.brazil, 'can_accept', 36);
  await position(norms[3]!, cast.france, 'reservation', 35, 'France prefers "should".');
  await position(norms[3]!, cast.kenya, 'consulting_capital', 34);
  await position(capacity[1]!, cast.kenya, 'can_accept', 20);
  await position(capacity[1]!, cast.france, 'cannot_accept', 19, 'Not with the bracketed text.');

  // Threads.
  const q = await open(
    threats[1]!,
    cast.kenya,
    'Kenya can accept "real and serious" if the paragraph also names critical infrastructure in developing countries.',
    26,
  );
  await reply(
    q,
    cast.brazil,
    cast.kenya,
    `Brazil could support that. @${cast.chair.name}, could the Chair propose a text?`,
    25,
    [cast.chair],
  );
  await open(
    norms[3]!,
    cast.brazil,
    'Brazil delegation only: we can live with "should" if the Chair drops the brackets in chapter V.',
    24,
    { visibility: 'delegation' },
  );
  await open(
    capacity[1]!,
    cast.secretariat,
    'For the Chair: the 2013 report used "developing countries" without brackets (A/68/98, para. 30).',
    22,
    { visibility: 'chair' },
  );
  await open(
    norms[3]!,
    cast.france,
    'A way out of the brackets, in the words of the 2013 report.',
    20,
    {
      proposal:
        'States should not knowingly allow their territory to be used for internationally wrongful acts using ICTs;',
    },
  );

  // A silence procedure on the last recommendation, running for three days.
  await status(recs[1]!, 'draft', 'under_discussion', 12);
  await storage.applyConsensusCommand(
    reportId,
    {
      type: 'start-silence',
      id: 'si_demo1',
      paragraphIds: [recs[1]!],
      deadline: new Date(now + 72 * HOUR).toISOString(),
      timeZone: 'America/New_York',
      by: cast.chair,
      at: at(2),
    },
    audit('silence.start', 'si_demo1'),
  );
}
