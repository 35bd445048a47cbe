/**
 * Roles and the permission matrix: written once, as data. The server's policy code
 * (server/auth/policy.ts) is the only reader that decides; the client reads it only to hide
 * controls a user cannot use. README shows the same table (generated from this file).
 */

export const ROLES = ['chair', 'secretariat', 'expert', 'observer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  chair: 'Chair',
  secretariat: 'Secretariat',
  expert: 'Expert',
  observer: 'Observer',
};

/** Roles whose members represent a State or organisation (shown beside their name). */
export const REPRESENTING_ROLES: ReadonlySet<Role> = new Set(['expert', 'observer']);

/** Every action a member can take, with the words README and the UI use for it. */
export const ACTIONS = {
  read: 'Read the text and threads',
  editText: 'Edit the text',
  comment: 'Comment',
  delegationThreads: "Read and open their delegation's private threads",
  chairThreads: 'Read threads addressed to the chair',
  resolveAnyThread: 'Resolve or reopen any thread',
  deleteOthersMessages: "Delete others' messages",
  applyProposal: 'Apply a proposal',
  recordPosition: "Record their State's position",
  setStatus: 'Set a paragraph status',
  declareAgreement: 'Declare a paragraph agreed, reopen agreed text',
  runSilence: 'Run a silence procedure',
  breakSilence: 'Break silence',
  issueRevision: 'Issue a revision',
  editMetadata: 'Edit the document metadata (symbol, distribution, date …)',
  createReport: 'Create and rename reports',
  importDocument: 'Import a text (.docx, plain text, Akoma Ntoso) as a new report',
  export: 'Export',
  manageMembers: 'Manage members and invitations',
  manageChairs: 'Appoint, change or remove a chair',
  unlockAccount: "Unlock a member's account locked by failed logins",
  viewAudit: 'View and export the audit log',
} as const;

export type Action = keyof typeof ACTIONS;

/** Who may do what. The only permission data in the project. */
export const PERMISSIONS: Readonly<Record<Action, readonly Role[]>> = {
  read: ['chair', 'secretariat', 'expert', 'observer'],
  editText: ['chair', 'secretariat', 'expert'],
  comment: ['chair', 'secretariat', 'expert'],
  delegationThreads: ['expert'],
  chairThreads: ['chair', 'secretariat'],
  resolveAnyThread: ['chair'],
  deleteOthersMessages: ['chair', 'secretariat'],
  applyProposal: ['chair', 'secretariat'],
  recordPosition: ['expert'],
  setStatus: ['chair', 'secretariat'],
  declareAgreement: ['chair'],
  runSilence: ['chair'],
  breakSilence: ['expert'],
  issueRevision: ['chair', 'secretariat'],
  editMetadata: ['chair', 'secretariat'],
  createReport: ['chair', 'secretariat'],
  importDocument: ['chair', 'secretariat'],
  export: ['chair', 'secretariat', 'expert'],
  manageMembers: ['chair', 'secretariat'],
  manageChairs: ['chair'],
  unlockAccount: ['chair'],
  viewAudit: ['chair', 'secretariat'],
};

/**
 * Who a member of `role` represents: experts and observers must name a State or organisation,
 * chair and secretariat represent none. Returns the normalised value, or null with `missing`
 * true when a required one is absent.
 */
export function representsFor(
  role: Role,
  represents: string | null | undefined,
): { represents: string | null; missing: boolean } {
  const r = represents?.trim() || null;
  if (!REPRESENTING_ROLES.has(role)) return { represents: null, missing: false };
  return { represents: r, missing: r === null };
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

/** True when `role` may take `action`. */
export function roleCan(role: Role, action: Action): boolean {
  return PERMISSIONS[action].includes(role);
}

/** The matrix as a markdown table (README). */
export function permissionTable(): string {
  const head = `| Action | ${ROLES.map((r) => ROLE_LABELS[r]).join(' | ')} |`;
  const rule = `| --- | ${ROLES.map(() => ':-:').join(' | ')} |`;
  const rows = (Object.keys(ACTIONS) as Action[]).map(
    (a) => `| ${ACTIONS[a]} | ${ROLES.map((r) => (roleCan(r, a) ? '✓' : '')).join(' | ')} |`,
  );
  return [head, rule, ...rows].join('\n');
}
