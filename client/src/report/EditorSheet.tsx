/**
 * The sheet that holds the editor. The editor is made once the first sync is done and the role
 * is known (client/src/editor/view.ts: never before, so it never invents content), with the
 * page's plugins (./plugins.ts); it follows the role (editable or not) without a reload. The
 * editor's DOM is ProseMirror's own: Preact renders nothing inside the mount.
 */
import { useEffect, useRef } from 'preact/hooks';
import { currentMe } from '../auth.js';
import { createEditor } from '../editor/view.js';
import { reportPlugins } from './plugins.js';
import type { ReportScope } from './scope.js';

export function EditorSheet({ scope }: { scope: ReportScope }) {
  const mount = useRef<HTMLDivElement>(null);
  const { live, editor, session } = scope;
  const synced = live.hasSynced.value;
  const access = live.access.value;
  const editable = live.editable.value;
  const view = editor.view.value;
  const fatal = live.notice.value?.fatal ?? false;

  useEffect(() => {
    if (view || !synced || !access || !mount.current) return;
    const me = currentMe();
    if (me) session.threads.setUser(me.user.id);
    const created = createEditor(
      mount.current,
      session,
      () => live.editable.peek(),
      reportPlugins(scope),
    );
    editor.attach(created);
    scope.consensus.viewReady(created);
  }, [view, synced, access, scope, session, live, editor]);

  // The role changed (or the connection stopped for good): the editor asks `editable` again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `editable` is read by the editor itself.
  useEffect(() => {
    view?.setProps({});
  }, [view, editable]);

  return (
    <article class={`sheet${view && !editable ? ' is-read-only' : ''}`} data-testid="sheet">
      {view ? null : <p class="muted sheet-loading">{fatal ? '' : 'Opening the report…'}</p>}
      <div class="sheet-mount" ref={mount} />
    </article>
  );
}
