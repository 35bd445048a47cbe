/** A paragraph to select when the editor of its report opens next (set by the board). */
let pendingJump: { reportId: string; paragraphId: string } | null = null;

export function requestJump(reportId: string, paragraphId: string): void {
  pendingJump = { reportId, paragraphId };
}

/** The paragraph the board asked for in this report, once. */
export function takeJump(reportId: string): string | null {
  if (pendingJump?.reportId !== reportId) return null;
  const id = pendingJump.paragraphId;
  pendingJump = null;
  return id;
}
