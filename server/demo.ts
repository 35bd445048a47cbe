/**
 * The demo group: a chair, a secretariat member, three experts and an observer with known
 * passwords, and a report modelled on the 2015 GGE report with a negotiation under way
 * (demo-report.ts), so a newcomer can try every role and feature in a minute.
 * Seeding is idempotent: a data directory that already has the demo chair is left alone.
 */
import type { PersonView } from '../shared/comments.js';
import type { Role } from '../shared/roles.js';
import { createAccount, createGroup, operatorEvent } from './accounts.js';
import { type DemoCast, demoDocument, seedNegotiation } from './demo-report.js';
import { documentUpdate, newReportId } from './reports.js';
import type { Storage } from './storage/types.js';

export interface DemoAccount {
  email: string;
  password: string;
  displayName: string;
  role: Role;
  represents: string | null;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    email: 'chair@demo.example',
    password: 'concord-chair',
    displayName: 'Chair (Ambassador Ortiz)',
    role: 'chair',
    represents: null,
  },
  {
    email: 'secretariat@demo.example',
    password: 'concord-secretariat',
    displayName: 'UNODA Secretariat',
    role: 'secretariat',
    represents: null,
  },
  {
    email: 'brazil@demo.example',
    password: 'concord-expert',
    displayName: 'Ana Souza',
    role: 'expert',
    represents: 'Brazil',
  },
  {
    email: 'kenya@demo.example',
    password: 'concord-expert',
    displayName: 'John Mwangi',
    role: 'expert',
    represents: 'Kenya',
  },
  {
    email: 'france@demo.example',
    password: 'concord-expert',
    displayName: 'Claire Martin',
    role: 'expert',
    represents: 'France',
  },
  {
    email: 'observer@demo.example',
    password: 'concord-observer',
    displayName: 'EU Observer',
    role: 'observer',
    represents: 'European Union',
  },
];

/** Seeds the demo group unless it exists; returns its id and whether it was created now. */
export async function seedDemo(storage: Storage): Promise<{ groupId: string; created: boolean }> {
  const existing = await storage.getUserByEmail(DEMO_ACCOUNTS[0]!.email);
  if (existing) {
    const groups = await storage.listMemberships(existing.id);
    return { groupId: groups[0]?.group.id ?? '', created: false };
  }
  const group = await createGroup(storage, 'Demo GGE 2016–2017');
  const people: PersonView[] = [];
  for (const a of DEMO_ACCOUNTS) {
    const user = await createAccount(storage, {
      email: a.email,
      displayName: a.displayName,
      password: a.password,
      membership: { groupId: group.id, role: a.role, represents: a.represents },
    });
    people.push({ id: user.id, name: a.displayName, role: a.role, represents: a.represents });
  }
  const [chair, secretariat, brazil, kenya, france] = people as [
    PersonView,
    PersonView,
    PersonView,
    PersonView,
    PersonView,
  ];
  const cast: DemoCast = { chair, secretariat, brazil, kenya, france };
  const now = new Date().toISOString();
  const title = 'Report of the Group of Governmental Experts — zero draft';
  const id = newReportId();
  const { doc, ids } = demoDocument(title);
  await storage.createReport(
    { id, groupId: group.id, title, template: 'gge-report', createdAt: now, updatedAt: now },
    documentUpdate(doc),
  );
  await storage.appendAudit(
    operatorEvent('report.create', group.id, id, { title, template: 'gge-report' }),
  );
  await seedNegotiation(storage, group.id, id, ids, cast);
  return { groupId: group.id, created: true };
}
