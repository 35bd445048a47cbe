/** Document metadata rules (shared/metadata.ts): real UN symbols pass, anything else is named. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_METADATA, sessionLines, validateMetadata } from '../../shared/metadata.js';

test('real document symbols are accepted, with revisions and corrigenda', () => {
  for (const symbol of [
    'A/70/174',
    'A/76/135',
    'A/75/816',
    'A/AC.290/2021/CRP.2',
    'A/C.1/70/L.45',
    'A/RES/70/237',
    'A/70/174/Rev.1',
    'A/70/174/Corr.1',
    'S/2021/123',
    '',
  ]) {
    const r = validateMetadata({ ...DEFAULT_METADATA, symbol });
    assert.ok(r.ok, symbol);
  }
});

test('bad values are refused with the field named; good ones come back trimmed', () => {
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ ...DEFAULT_METADATA, symbol: 'a/70/174' }, 'symbol'],
    [{ ...DEFAULT_METADATA, symbol: 'A 70 174' }, 'symbol'],
    [{ ...DEFAULT_METADATA, symbol: 'A/' }, 'symbol'],
    [{ ...DEFAULT_METADATA, distribution: 'general' }, 'distribution'],
    [{ ...DEFAULT_METADATA, date: '2015-13-01' }, 'date'],
    [{ ...DEFAULT_METADATA, originalLanguage: 'German' }, 'originalLanguage'],
    [{ ...DEFAULT_METADATA, documentType: 'memo' }, 'documentType'],
    [{ ...DEFAULT_METADATA, session: 7 }, 'session'],
    [{ ...DEFAULT_METADATA, extra: 1 }, 'extra'],
  ];
  for (const [input, field] of bad) {
    const r = validateMetadata(input);
    assert.ok(!r.ok && r.message.startsWith(`${field}:`), `${field}: ${JSON.stringify(r)}`);
  }
  assert.equal(validateMetadata(null).ok, false);
  assert.equal(validateMetadata([]).ok, false);
  const good = validateMetadata({
    ...DEFAULT_METADATA,
    symbol: ' A/70/174 ',
    date: '2015-07-22',
    session: ' Seventieth session ',
    agendaItem: 'Agenda item 93',
  });
  assert.ok(good.ok);
  assert.equal(good.value.symbol, 'A/70/174');
  assert.deepEqual(sessionLines(good.value), ['Seventieth session', 'Agenda item 93']);
});
