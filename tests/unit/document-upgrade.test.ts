/**
 * Upgrading a stored version-1 document (shared/upgrade.ts). The fixture
 * tests/fixtures/report-schema-v1.b64 is a Yjs update made by the code before schema version 2:
 * the GGE template of that code, text typed into chapter I with sub-paragraphs down to level 3,
 * and a paragraph copied with its id into chapter II (a duplicate that version 1 left alone),
 * whose level a writer stored as the string "1".
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import * as Y from 'yjs';
import { idsAreUniqueAndPresent } from '../../shared/ids.js';
import { computeNumbering } from '../../shared/numbering.js';
import { REPORT_FRAGMENT, SCHEMA_VERSION, schema } from '../../shared/schema.js';
import {
  documentSchemaVersion,
  stampCurrentVersion,
  upgradeDocument,
} from '../../shared/upgrade.js';

function v1Document(): Y.Doc {
  const raw = fs.readFileSync(new URL('../fixtures/report-schema-v1.b64', import.meta.url), 'utf8');
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, Buffer.from(raw, 'base64'));
  return ydoc;
}

const pm = (ydoc: Y.Doc) =>
  yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment(REPORT_FRAGMENT), schema);

describe('upgrading a version-1 document', () => {
  test('the fixture is version 1 and holds a duplicated id', () => {
    const ydoc = v1Document();
    assert.equal(documentSchemaVersion(ydoc), 1);
    assert.equal(idsAreUniqueAndPresent(pm(ydoc)), false);
  });

  test('upgrades to the current version: valid, ids repaired, text and numbers kept', () => {
    const ydoc = v1Document();
    const before = pm(ydoc);
    assert.equal(upgradeDocument(ydoc), 1);
    assert.equal(documentSchemaVersion(ydoc), SCHEMA_VERSION);
    const after = pm(ydoc);
    after.check();
    assert.equal(after.textContent, before.textContent);
    assert.ok(idsAreUniqueAndPresent(after));
    const numbering = computeNumbering(after);
    // The first occurrence keeps its id; the copy in chapter II has a new one.
    assert.deepEqual(numbering.paragraphs.get('v1para2'), { label: '2.', citation: '2' });
    assert.deepEqual(numbering.paragraphs.get('v1para5'), { label: 'a.', citation: '2 (b) a.' });
    const copy = numbering.nodes.find(
      (n) => after.nodeAt(n.pos)?.textContent === 'copied paragraph',
    );
    assert.ok(copy?.id && copy.id !== 'v1para2');
    // The level stored as the string "1" is a number now: a sub-paragraph of paragraph 3.
    assert.equal(after.nodeAt(copy.pos)!.attrs['level'], 1);
    assert.equal(copy.citation, '3 (a)');
  });

  test('the same upgrade gives the same ids wherever it runs', () => {
    const a = v1Document();
    const b = v1Document();
    upgradeDocument(a);
    upgradeDocument(b);
    assert.deepEqual(
      computeNumbering(pm(a)).nodes.map((n) => n.id),
      computeNumbering(pm(b)).nodes.map((n) => n.id),
    );
  });

  test('a current document is left alone: no update is written', () => {
    const ydoc = v1Document();
    upgradeDocument(ydoc);
    let updates = 0;
    ydoc.on('update', () => updates++);
    assert.equal(upgradeDocument(ydoc), SCHEMA_VERSION);
    const fresh = new Y.Doc();
    stampCurrentVersion(fresh);
    fresh.on('update', () => updates++);
    assert.equal(upgradeDocument(fresh), SCHEMA_VERSION);
    assert.equal(updates, 0);
  });
});
